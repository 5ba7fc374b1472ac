import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { buildApp } from '../app.ts';
import type { LoginConfig } from '../config.ts';
import { SESSION_COOKIE } from '../login/session.ts';
import { testLoginConfig } from '../testing/login-config.ts';

async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

const KEY = Buffer.alloc(32, 1);

const loginConfig = (issuer: string): LoginConfig =>
  testLoginConfig(issuer, { cookieKeys: [KEY], postLogoutRedirectUrl: 'http://localhost:8000/' });

const browser = {
  accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8',
  'x-forwarded-method': 'GET',
  'x-forwarded-proto': 'http',
  'x-forwarded-host': 'localhost:8000',
  'x-forwarded-uri': '/pybackend/whoami?x=1',
};

describe('/auth with browser login on (provider down)', () => {
  let app: ReturnType<typeof buildApp>;
  before(async () => {
    app = buildApp({
      logLevel: false,
      staticTokens: [{ token: 'foobar', principal: 'demo' }],
      login: loginConfig(`http://127.0.0.1:${await closedPort()}`),
      oidc: { timeoutSeconds: 2, retryAfterMs: 0 },
    });
    await app.ready();
  });
  after(() => app.close());

  const sessionCookie = (user: Record<string, unknown>): string =>
    `${SESSION_COOKIE}=${encodeURIComponent(app.encodeSecureSession(app.createSecureSession({ user }), 'session'))}`;
  const inOneHour = () => Math.floor(Date.now() / 1000) + 3600;

  it('redirects a browser without credentials to the login, with the page it wanted', async () => {
    const res = await app.inject({ url: '/auth', headers: browser });
    assert.equal(res.statusCode, 302);
    const location = new URL(String(res.headers.location));
    assert.equal(`${location.origin}${location.pathname}`, 'http://localhost:8000/oauth2/start');
    assert.equal(location.searchParams.get('rd'), 'http://localhost:8000/pybackend/whoami?x=1');
    assert.equal(res.headers['cache-control'], 'no-store');
    assert.equal(res.headers['x-auth-user'], undefined);
  });

  it('leaves out the return address when the forwarded host is not allowed', async () => {
    const res = await app.inject({
      url: '/auth',
      headers: { ...browser, 'x-forwarded-host': 'evil.example' },
    });
    assert.equal(res.statusCode, 302);
    assert.equal(res.headers.location, 'http://localhost:8000/oauth2/start');
  });

  it('keeps the 403 for API clients, non-GET browser requests, and the 401 for a bad token', async () => {
    for (const headers of [
      {},
      { accept: 'application/json, */*;q=0.5' },
      { accept: '*/*' },
      { ...browser, 'x-forwarded-method': 'POST' },
    ]) {
      const res = await app.inject({ url: '/auth', headers });
      assert.equal(res.statusCode, 403, JSON.stringify(headers));
      assert.equal(res.body, '{"detail":"Not authenticated"}');
    }
    const bad = await app.inject({ url: '/auth', headers: { ...browser, authorization: 'Bearer foo' } });
    assert.equal(bad.statusCode, 401);
    assert.equal(bad.body, '{"detail":"Invalid Token"}');
  });

  it('passes a valid session with the identity headers', async () => {
    const cookie = sessionCookie({
      sub: 'alice',
      email: 'alice@example.com',
      roles: ['reader', 'writer'],
      exp: inOneHour(),
    });
    const res = await app.inject({ url: '/auth', headers: { ...browser, cookie } });
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(res.json(), { status: 'ok' });
    assert.equal(res.headers['x-auth-user'], 'alice');
    assert.equal(res.headers['x-auth-email'], 'alice@example.com');
    assert.equal(res.headers['x-auth-roles'], 'reader,writer');
    assert.equal(res.headers['x-auth-client'], undefined);
    // /auth never rewrites the session: a 2xx's cookies would not reach the browser anyway.
    assert.equal(res.headers['set-cookie'], undefined);
  });

  it('prefers a bearer token over the session', async () => {
    const cookie = sessionCookie({ sub: 'alice', roles: [], exp: inOneHour() });
    const res = await app.inject({ url: '/auth', headers: { cookie, authorization: 'Bearer foobar' } });
    assert.equal(res.headers['x-auth-user'], 'demo');
    const bad = await app.inject({ url: '/auth', headers: { cookie, authorization: 'Bearer foo' } });
    assert.equal(bad.statusCode, 401);
  });

  it('ignores an expired, tampered or foreign-key session', async () => {
    const expired = sessionCookie({ sub: 'alice', roles: [], exp: Math.floor(Date.now() / 1000) - 1 });
    const valid = sessionCookie({ sub: 'alice', roles: [], exp: inOneHour() });
    const [name, value = ''] = valid.split('=');
    const flipped = `${name}=${value.startsWith('A') ? 'B' : 'A'}${value.slice(1)}`;
    const other = buildApp({
      logLevel: false,
      staticTokens: [],
      login: { ...loginConfig('http://127.0.0.1:1'), cookieKeys: [Buffer.alloc(32, 2)] },
    });
    await other.ready();
    const foreign = `${SESSION_COOKIE}=${encodeURIComponent(other.encodeSecureSession(other.createSecureSession({ user: { sub: 'mallory', roles: [], exp: inOneHour() } }), 'session'))}`;
    await other.close();
    for (const cookie of [expired, flipped, foreign, `${SESSION_COOKIE}=garbage`, `${SESSION_COOKIE}=a;b`]) {
      const api = await app.inject({ url: '/auth', headers: { cookie } });
      assert.equal(api.statusCode, 403, cookie);
      const page = await app.inject({ url: '/auth', headers: { ...browser, cookie } });
      assert.equal(page.statusCode, 302, cookie);
    }
  });

  it('answers 503 on /oauth2/start while the provider cannot be discovered', async () => {
    const res = await app.inject({ url: '/oauth2/start?rd=/pybackend' });
    assert.equal(res.statusCode, 503);
    assert.deepEqual(res.json(), { detail: 'Identity provider unavailable' });
    assert.equal(res.headers['set-cookie'], undefined);
  });

  it('refuses a callback with no state it issued', async () => {
    for (const url of [
      '/oauth2/callback',
      '/oauth2/callback?state=forged&code=abc',
      '/oauth2/callback?code=abc',
    ]) {
      const res = await app.inject({ url });
      assert.equal(res.statusCode, 400, url);
      assert.match(res.json<{ detail: string }>().detail, /^Sign-in failed: unknown or expired state/);
      assert.equal(res.headers['set-cookie'], undefined);
    }
  });

  it('signs out locally when the provider is unreachable, back to a checked address', async () => {
    const cookie = sessionCookie({ sub: 'alice', roles: [], exp: inOneHour(), idToken: 'x.y.z' });
    const res = await app.inject({ url: '/oauth2/sign_out?rd=https://evil.example/', headers: { cookie } });
    assert.equal(res.statusCode, 302);
    assert.equal(res.headers.location, 'http://localhost:8000/');
    assert.match(String(res.headers['set-cookie']), new RegExp(`^${SESSION_COOKIE}=;.*Max-Age=0`));
  });
});

describe('/oauth2/* with browser login off', () => {
  it('answers 404 saying login is not configured; browsers get the 403', async () => {
    const app = buildApp({ logLevel: false, staticTokens: [] });
    for (const url of ['/oauth2/start', '/oauth2/callback?state=x', '/oauth2/sign_out', '/oauth2/']) {
      const res = await app.inject({ url });
      assert.equal(res.statusCode, 404, url);
      assert.deepEqual(res.json(), { detail: 'Browser login is not configured (OIDC_ISSUER is unset)' });
    }
    const page = await app.inject({ url: '/auth', headers: browser });
    assert.equal(page.statusCode, 403);
    assert.equal(page.body, '{"detail":"Not authenticated"}');
    await app.close();
  });
});
