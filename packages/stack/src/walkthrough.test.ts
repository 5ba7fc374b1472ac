/**
 * The README's walkthrough, run for real: every process of the stack is started by the same launcher
 * `npm start` uses (on free ports), and the requests of the README are sent through the gateway.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Agent, request } from 'undici';
import type { StackConfig } from './config.ts';
import type { Stack } from './launcher.ts';
import { startTestStack } from './test-stack.ts';

let stack: Stack;
let config: StackConfig;

async function call(
  path: string,
  init: { method?: 'GET' | 'POST'; headers?: Record<string, string>; body?: string } = {},
) {
  const res = await request(`http://127.0.0.1:${config.GATEWAY_WEB_PORT}${path}`, {
    method: init.method ?? 'GET',
    headers: init.headers,
    body: init.body,
  });
  const text = await res.body.text();
  return { status: res.statusCode, headers: res.headers, text, json: () => JSON.parse(text) as unknown };
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** A client-credentials access token for the adder from the stack's identity provider. */
async function clientToken(clientId: string, secret: string): Promise<string> {
  const res = await request(`http://127.0.0.1:${config.IDENTITY_PORT}/token`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams({ grant_type: 'client_credentials', resource: 'api://adder' }).toString(),
  });
  const body = (await res.body.json()) as { access_token?: string };
  assert.equal(res.statusCode, 200, JSON.stringify(body));
  assert.ok(body.access_token);
  return body.access_token;
}

/** The first row of the Boston data, as the walkthrough scores it (R's forest: 25.9). */
const BOSTON_ROW_1 = {
  crim: 0.00632,
  zn: 18,
  indus: 2.31,
  chas: 0,
  nox: 0.538,
  rm: 6.575,
  age: 65.2,
  dis: 4.09,
  rad: 1,
  tax: 296,
  ptratio: 15.3,
  black: 396.9,
  lstat: 4.98,
};

describe('walkthrough through the gateway', () => {
  before(async () => {
    ({ stack, config } = await startTestStack());
  });

  after(async () => {
    await stack?.stop();
  });

  it('rejects a request without credentials with 403 Not authenticated', async () => {
    const res = await call('/pybackend');
    assert.equal(res.status, 403);
    assert.deepEqual(res.json(), { detail: 'Not authenticated' });
  });

  it('rejects a wrong token with 401 Invalid Token', async () => {
    const res = await call('/pybackend', { headers: bearer('foo') });
    assert.equal(res.status, 401);
    assert.deepEqual(res.json(), { detail: 'Invalid Token' });
  });

  it('serves the relay backend with the demo token', async () => {
    const res = await call('/pybackend', { headers: bearer('foobar') });
    assert.equal(res.status, 200);
    assert.deepEqual(res.json(), { title: 'Python Backend API' });
    const path = await call('/pybackend/foobar', { headers: bearer('foobar') });
    assert.deepEqual(path.json(), { title: 'Python Backend API', path: 'foobar' });
  });

  it('serves the model service', async () => {
    const res = await call('/rbackend', { headers: bearer('foobar') });
    assert.equal(res.status, 200);
    assert.deepEqual(res.json(), { title: 'R Backend API' });
  });

  it('answers admission directly and through the relay with the same result', async () => {
    const body = JSON.stringify({ gre: 600, rank: '1' });
    const headers = { ...bearer('foobar'), 'content-type': 'application/json' };
    const direct = await call('/rbackend/admission', { method: 'POST', headers, body });
    assert.equal(direct.status, 200);
    const answer = direct.json() as { result: boolean; probability: number };
    assert.equal(answer.result, true);
    assert.ok(Math.abs(answer.probability - 0.52355) < 1e-5, `probability ${answer.probability}`);
    const relayed = await call('/pybackend/admission', { method: 'POST', headers, body });
    assert.equal(relayed.status, 200);
    assert.deepEqual(relayed.json(), answer);
  });

  it('rejects invalid admission input with 422 through the gateway', async () => {
    const headers = { ...bearer('foobar'), 'content-type': 'application/json' };
    const res = await call('/pybackend/admission', { method: 'POST', headers, body: '{"gre": 900}' });
    assert.equal(res.status, 422);
    assert.match((res.json() as { detail: string }).detail, /gre/);
  });

  it('never lets a client spoof the identity header', async () => {
    const res = await call('/pybackend/whoami', {
      headers: { ...bearer('foobar'), 'x-auth-user': 'admin', x_auth_user: 'admin', 'x.auth.user': 'admin' },
    });
    assert.equal(res.status, 200);
    const seen = res.json() as { user: string | null; aliases?: Record<string, string> };
    assert.equal(seen.user, 'demo');
    // Look-alikes that CGI/WSGI backends would read as X-Auth-User are dropped at the entrypoint.
    assert.equal(seen.aliases, undefined);
  });

  it("hands the backend forward-auth's signed identity, which whoami shows verified", async () => {
    // A client's own X-Auth-Assertion is replaced by forward-auth's, as the other identity headers are.
    const res = await call('/pybackend/whoami', {
      headers: { ...bearer('foobar'), 'x-auth-assertion': 'forged' },
    });
    assert.equal(res.status, 200, res.text);
    const { assertion } = res.json() as { assertion?: Record<string, unknown> };
    assert.ok(assertion, res.text);
    assert.equal(assertion.sub, 'demo');
    assert.equal(assertion.iss, 'forward-auth');
    assert.deepEqual(assertion.aud, ['pybackend-ts', 'model-service']);
    assert.deepEqual(assertion.roles, []);
    assert.equal(Number(assertion.exp) - Number(assertion.iat), 60);
  });

  it("refuses a made-up identity sent straight to a backend's port", async () => {
    const direct = (port: number, path: string, headers: Record<string, string>) =>
      request(`http://127.0.0.1:${port}${path}`, { method: 'POST', headers, body: '{}' }).then(
        async (res) => ({
          status: res.statusCode,
          body: (await res.body.json()) as { detail: string },
        }),
      );
    const spoof = { 'x-auth-user': 'admin', 'content-type': 'application/json' };
    for (const [port, path] of [
      [config.PYBACKEND_PORT, '/admission'],
      [config.MODEL_SERVICE_PORT, '/admission'],
    ] as const) {
      assert.deepEqual(await direct(port, path, spoof), {
        status: 401,
        body: { detail: 'Missing identity assertion' },
      });
      const forged = await direct(port, path, { ...spoof, 'x-auth-assertion': 'e30.e30.' });
      assert.equal(forged.status, 401);
      assert.match(forged.body.detail, /^Invalid identity assertion: /);
    }
    const whoami = await request(`http://127.0.0.1:${config.PYBACKEND_PORT}/whoami`, {
      headers: { 'x-auth-user': 'admin' },
    });
    assert.equal(whoami.statusCode, 401);
    await whoami.body.dump();
  });

  it('does not route unknown paths', async () => {
    const res = await call('/nowhere', { headers: bearer('foobar') });
    assert.equal(res.status, 404);
    assert.equal(res.text, '404 page not found\n');
  });

  it('adds through the gateway with a client-credentials token, refusing the static one', async () => {
    const res = await call('/add/10/10', {
      headers: bearer(await clientToken('adder-cli', 'adder-cli-secret')),
    });
    assert.equal(res.status, 200);
    assert.equal(res.text, '20');
    const stat = await call('/add/10/10', { headers: bearer('foobar') });
    assert.equal(stat.status, 401);
    assert.match(String(stat.headers['www-authenticate']), /^Bearer error="invalid_token"/);
  });

  it('refuses /add to a client without the app role with 403 insufficient_scope', async () => {
    const res = await call('/add/10/10', {
      headers: bearer(await clientToken('no-role-client', 'no-role-secret')),
    });
    assert.equal(res.status, 403);
    assert.match(String(res.headers['www-authenticate']), /error="insufficient_scope"/);
    const anonymous = await call('/add/10/10');
    assert.equal(anonymous.status, 401);
    assert.equal(anonymous.headers['www-authenticate'], 'Bearer');
  });

  it('sends a browser without a session to the login, and serves the login routes', async () => {
    const res = await call('/pybackend/whoami', { headers: { accept: 'text/html' } });
    assert.equal(res.status, 302);
    const start = new URL(String(res.headers.location));
    assert.equal(start.pathname, '/oauth2/start');
    const login = await call(`${start.pathname}${start.search}`);
    assert.equal(login.status, 302);
    const authorize = new URL(String(login.headers.location));
    assert.equal(authorize.origin, `http://localhost:${config.IDENTITY_PORT}`);
    assert.equal(authorize.searchParams.get('client_id'), 'forward-auth');
    assert.equal(
      authorize.searchParams.get('redirect_uri'),
      `http://localhost:${config.GATEWAY_WEB_PORT}/oauth2/callback`,
    );
  });

  it('shows its routers and its metrics on the admin entrypoint', async () => {
    const admin = `http://127.0.0.1:${config.GATEWAY_ADMIN_PORT}`;
    const routers = await request(`${admin}/api/http/routers`);
    const names = ((await routers.body.json()) as Array<{ name: string; status: string }>).map(
      (r) => `${r.name} ${r.status}`,
    );
    assert.deepEqual(names.sort(), [
      'adder@file enabled',
      'bos-rf-to-https@file enabled',
      'bos-rf@file enabled',
      'oauth2@file enabled',
      'pybackend@file enabled',
      'rbackend@file enabled',
    ]);
    const metrics = await request(`${admin}/metrics`);
    assert.equal(metrics.statusCode, 200);
    assert.match(await metrics.body.text(), /traefik_service_requests_total\{[^}]*service="pybackend@file"/);
  });

  it('scores house prices over HTTPS behind basic auth, and redirects plain HTTP there', async () => {
    const secure = `https://127.0.0.1:${config.GATEWAY_WEBSECURE_PORT}`;
    // The local profile's certificate is self-signed: this client is told to accept it.
    const dispatcher = new Agent({ connect: { rejectUnauthorized: false } });
    const rows = JSON.stringify({ df: [BOSTON_ROW_1] });
    const post = (authorization?: string) =>
      request(`${secure}/bos-rf/score`, {
        method: 'POST',
        dispatcher,
        headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
        body: rows,
      });
    const scored = await post(`Basic ${Buffer.from('user1:password1').toString('base64')}`);
    assert.equal(scored.statusCode, 200);
    const [prediction] = (await scored.body.json()) as number[];
    assert.ok(prediction !== undefined && Math.abs(prediction - 25.9) < 3, String(prediction));
    const anonymous = await post();
    assert.equal(anonymous.statusCode, 401);
    await anonymous.body.dump();
    await dispatcher.close();

    const plain = await call('/bos-rf/score/model');
    assert.equal(plain.status, 302);
    assert.equal(
      plain.headers.location,
      `https://127.0.0.1:${config.GATEWAY_WEBSECURE_PORT}/bos-rf/score/model`,
    );
  });

  it('fails closed when the auth service is down, once its last decision for a token is 5 s old', async () => {
    await stack.children.get('forward-auth')?.stop();
    // A token the gateway has no decision for: it cannot judge it.
    const unknown = await call('/pybackend', { headers: bearer('never-asked-about') });
    assert.equal(unknown.status, 500);
    assert.equal(unknown.text, '');
    // The demo token was allowed just before: forwardAuthCache (infra/gateway/gateway.extensions.yml) reuses
    // that decision for 5 s at most, then the gateway fails closed for it too.
    const stopped = Date.now();
    let res = await call('/pybackend', { headers: bearer('foobar') });
    while (res.status !== 500 && Date.now() - stopped < 8000) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      res = await call('/pybackend', { headers: bearer('foobar') });
    }
    assert.equal(res.status, 500);
    assert.equal(res.text, '');
    assert.ok(Date.now() - stopped < 6000, `500 after ${Date.now() - stopped} ms`);
  });
});
