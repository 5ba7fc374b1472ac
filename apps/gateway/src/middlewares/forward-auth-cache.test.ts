import assert from 'node:assert/strict';
import type { OutgoingHttpHeaders } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { validateMiddleware } from '../config/dynamic-schema.ts';
import { send, startGateway, startUpstream, type TestGateway, type Upstream } from '../testing/harness.ts';

/** A JWT-shaped value with this `exp` (the signature is not checked by the cache). */
const jwtExpiring = (exp: number) =>
  `${Buffer.from('{"alg":"ES256"}').toString('base64url')}.${Buffer.from(JSON.stringify({ sub: 'alice', exp, jti: 'j1' })).toString('base64url')}.c2ln`;

describe('cachedForwardAuth: reused auth decisions', () => {
  let auth: Upstream;
  let backend: Upstream;
  let gw: TestGateway;
  /** What the auth server answers, by bearer token (`Authorization: Bearer <token>`). */
  const answers = new Map<string, { status: number; headers?: OutgoingHttpHeaders; body?: string }>();
  const calls = (token: string) =>
    auth.received.filter((r) => r.headers.authorization === `Bearer ${token}`).length;
  const get = (path: string, token: string, headers: Record<string, string> = {}) =>
    send(`${gw.web}${path}`, { headers: { authorization: `Bearer ${token}`, ...headers } });

  const middleware = (name: string, cache: string, extra = '') => `    ${name}:
      plugin:
        cachedForwardAuth:
          address: ${auth.url}/auth
          authResponseHeaders: [X-Auth-User, X-Auth-Assertion]
          trustForwardHeader: false${extra}
          cache: ${cache}
`;
  const router = (name: string, prefix: string, mw: string) => `    ${name}:
      rule: PathPrefix(\`${prefix}\`)
      middlewares: [${mw}]
      service: backend
`;
  const config = (ttl = '10s') => `http:
  routers:
${router('main', '/main', 'cached')}
${router('other', '/other', 'cached-too')}
${router('denials', '/denials', 'with-denials')}
${router('by-page', '/by-page', 'by-page')}
${router('small', '/small', 'small')}
${router('by-method', '/by-method', 'by-method')}
  middlewares:
${middleware('cached', `{ttl: ${ttl}}`)}
${middleware('cached-too', '{ttl: 10s}')}
${middleware('with-denials', '{ttl: 10s, negativeTtl: 10s}')}
${middleware('by-page', '{ttl: 10s, negativeTtl: 10s, key: [Authorization, X-Forwarded-Uri]}')}
${middleware('small', '{maxEntries: 2}')}
${middleware('by-method', '{}', '\n          preserveRequestMethod: true')}
  services:
    backend:
      loadBalancer:
        servers: [{url: "${backend.url}"}]
`;

  before(async () => {
    auth = await startUpstream((req, res) => {
      const token = (req.headers.authorization ?? '').replace(/^Bearer /, '');
      const answer = answers.get(token) ?? { status: 401, body: '{"detail":"Invalid Token"}' };
      res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
      res.end(answer.body ?? '');
    });
    backend = await startUpstream();
    gw = await startGateway({ files: { 'cache.yml': config() } });
  });

  after(async () => {
    await gw?.close();
    await auth?.close();
    await backend?.close();
  });

  it('asks the auth server once for the same credentials, and the backend gets the same identity each time', async () => {
    answers.set('t1', { status: 200, headers: { 'x-auth-user': 'alice', 'x-not-copied': 'x' } });
    const first = await get('/main/a', 't1');
    // A client's own copy of the identity header never survives, from the cache or not.
    const second = await get('/main/b', 't1', { 'x-auth-user': 'mallory' });
    assert.equal(first.status, 200);
    assert.equal(second.status, 200);
    assert.equal(calls('t1'), 1);
    const seen = backend.received.slice(-2).map((r) => r.headers['x-auth-user']);
    assert.deepEqual(seen, ['alice', 'alice']);
    assert.equal(backend.received.at(-1)?.headers['x-not-copied'], undefined);
    assert.equal(backend.received.at(-1)?.url, '/main/b');
  });

  it('keeps decisions apart by credentials, and by middleware', async () => {
    answers.set('t2', { status: 200, headers: { 'x-auth-user': 'bob' } });
    await get('/main/x', 't2');
    await get('/main/x', 't2');
    await get('/other/x', 't2');
    assert.equal(calls('t2'), 2, 'one ask per middleware');
    assert.equal(backend.received.at(-1)?.headers['x-auth-user'], 'bob');
    answers.set('t2-cookie', { status: 200, headers: { 'x-auth-user': 'carol' } });
    await get('/main/x', 't2-cookie', { cookie: 's=1' });
    await get('/main/x', 't2-cookie', { cookie: 's=2' });
    assert.equal(calls('t2-cookie'), 2, 'Cookie is part of the default key');
  });

  it('does not reuse a denial unless negativeTtl says so, and then gives the same answer', async () => {
    answers.set('bad', {
      status: 403,
      headers: { 'x-reason': 'nope' },
      body: '{"detail":"Not authenticated"}',
    });
    await get('/main/x', 'bad');
    await get('/main/x', 'bad');
    assert.equal(calls('bad'), 2);
    const live = await get('/denials/x', 'bad');
    const cached = await get('/denials/x', 'bad');
    assert.equal(calls('bad'), 3);
    assert.equal(cached.status, 403);
    assert.equal(cached.body, live.body);
    assert.equal(cached.headers['x-reason'], 'nope');
    assert.equal(cached.headers['content-type'], 'application/json');
    assert.ok(cached.headers.date, 'a Date, made for this answer');
  });

  it('never reuses what the auth server says not to: no-store, no-cache, private, max-age=0, Set-Cookie, a Vary outside the key', async () => {
    const refusals: OutgoingHttpHeaders[] = [
      { 'cache-control': 'no-store' },
      { 'cache-control': 'max-age=60, no-cache' },
      { 'cache-control': 'private' },
      { 'cache-control': 'max-age=0' },
      { expires: 'Thu, 01 Jan 1970 00:00:00 GMT' },
      { 'set-cookie': 'session=renewed' },
      { vary: 'X-Forwarded-Uri' },
      { vary: '*' },
    ];
    for (const [i, headers] of refusals.entries()) {
      const token = `refused-${i}`;
      answers.set(token, { status: 200, headers: { 'x-auth-user': 'alice', ...headers } });
      await get('/main/x', token);
      await get('/main/x', token);
      assert.equal(calls(token), 2, JSON.stringify(headers));
    }
    answers.set('public', {
      status: 200,
      headers: { 'x-auth-user': 'alice', 'cache-control': 'public, max-age=60' },
    });
    await get('/main/x', 'public');
    await get('/main/x', 'public');
    assert.equal(calls('public'), 1);
  });

  it('reuses a login redirect only when the page is part of the key, one per page', async () => {
    answers.set('redirect', { status: 302, headers: { location: '/login' } });
    await get('/denials/a', 'redirect');
    await get('/denials/a', 'redirect');
    assert.equal(calls('redirect'), 2, 'X-Forwarded-Uri is not in that key');
    await get('/by-page/a', 'redirect');
    const again = await get('/by-page/a', 'redirect');
    await get('/by-page/b', 'redirect');
    assert.equal(calls('redirect'), 4, 'once for /by-page/a, once for /by-page/b');
    assert.equal(again.status, 302);
    assert.equal(again.headers.location, `${auth.url}/login`);
  });

  it('keys on the method when the auth server sees it (preserveRequestMethod)', async () => {
    answers.set('m', { status: 200, headers: { 'x-auth-user': 'alice' } });
    await send(`${gw.web}/by-method/x`, { headers: { authorization: 'Bearer m' } });
    await send(`${gw.web}/by-method/x`, { method: 'DELETE', headers: { authorization: 'Bearer m' } });
    await send(`${gw.web}/by-method/x`, { method: 'DELETE', headers: { authorization: 'Bearer m' } });
    assert.equal(calls('m'), 2);
  });

  it('reuses an answer carrying a signed assertion for at most half its remaining lifetime', async () => {
    const exp = Math.floor(Date.now() / 1000) + 2;
    answers.set('asserted', {
      status: 200,
      headers: { 'x-auth-user': 'alice', 'x-auth-assertion': jwtExpiring(exp) },
    });
    await get('/main/x', 'asserted');
    await get('/main/x', 'asserted');
    assert.equal(calls('asserted'), 1);
    assert.equal(backend.received.at(-1)?.headers['x-auth-assertion'], jwtExpiring(exp));
    // At most (exp - now) / 2 ≤ 1 s after it was stored; the configured ttl is 10 s.
    await sleep(1100);
    await get('/main/x', 'asserted');
    assert.equal(calls('asserted'), 2);
  });

  it('holds maxEntries decisions, the least recently used going first', async () => {
    for (const token of ['l1', 'l2', 'l3'])
      answers.set(token, { status: 200, headers: { 'x-auth-user': token } });
    await get('/small/x', 'l1');
    await get('/small/x', 'l2');
    await get('/small/x', 'l1'); // l1 used: l2 is now the least recent
    await get('/small/x', 'l3'); // pushes l2 out
    await get('/small/x', 'l1');
    await get('/small/x', 'l2');
    assert.deepEqual([calls('l1'), calls('l2'), calls('l3')], [1, 2, 1]);
  });

  it('never caches a failure to reach the auth server', async () => {
    answers.set('flaky', { status: 200, headers: { 'x-auth-user': 'alice' } });
    const flaky = (address: string) => `http:
  routers:
    flaky:
      rule: PathPrefix(\`/flaky\`)
      middlewares: [flaky]
      service: backend
  middlewares:
    flaky:
      plugin:
        cachedForwardAuth:
          address: ${address}/auth
          cache: {negativeTtl: 10s}
`;
    // The auth server down (a closed port), then up: the 500 is not remembered.
    await gw.write('flaky.yml', flaky('http://127.0.0.1:9'));
    await gw.gateway.reload();
    assert.equal((await get('/flaky/x', 'flaky')).status, 500);
    assert.equal((await get('/flaky/x', 'flaky')).status, 500);
    await gw.write('flaky.yml', flaky(auth.url));
    await gw.gateway.reload();
    assert.equal((await get('/flaky/x', 'flaky')).status, 200);
    assert.equal(calls('flaky'), 1);
  });

  it('starts empty after a reload that changes the configuration', async () => {
    answers.set('reload', { status: 200, headers: { 'x-auth-user': 'alice' } });
    await get('/main/x', 'reload');
    await get('/main/x', 'reload');
    assert.equal(calls('reload'), 1);
    await gw.write('cache.yml', config('20s'));
    await gw.gateway.reload();
    await get('/main/x', 'reload');
    assert.equal(calls('reload'), 2);
  });

  it('expires decisions after ttl', async () => {
    await gw.write('cache.yml', config('300ms'));
    await gw.gateway.reload();
    answers.set('short', { status: 200, headers: { 'x-auth-user': 'alice' } });
    await get('/main/x', 'short');
    await get('/main/x', 'short');
    assert.equal(calls('short'), 1);
    await sleep(400);
    await get('/main/x', 'short');
    assert.equal(calls('short'), 2);
  });
});

describe('cachedForwardAuth configuration', () => {
  const check = (options: Record<string, unknown>) =>
    validateMiddleware({ plugin: { cachedForwardAuth: { address: 'http://auth/x', ...options } } }, 'm');

  it('takes every forwardAuth option and the cache defaults', () => {
    const result = check({ authResponseHeaders: ['X-Auth-User'], trustForwardHeader: false });
    assert.equal(result.ok, true);
    assert.ok(result.ok && result.value.type === 'cachedForwardAuth');
    if (result.ok && result.value.type === 'cachedForwardAuth') {
      assert.deepEqual(result.value.options.cache, {
        ttl: 10_000,
        negativeTtl: 0,
        maxEntries: 1000,
        key: ['Authorization', 'Cookie'],
      });
      assert.deepEqual(result.value.options.authResponseHeaders, ['X-Auth-User']);
    }
  });

  it('refuses a body-dependent decision, an empty key, a bad header name, unknown fields', () => {
    const errors = (options: Record<string, unknown>) => {
      const result = check(options);
      return result.ok ? [] : result.errors;
    };
    assert.match(
      errors({ forwardBody: true }).join('\n'),
      /forwardBody: a decision that depends on the body cannot be cached/,
    );
    assert.match(errors({ cache: { key: [] } }).join('\n'), /cache\.key: needs at least one header/);
    assert.match(errors({ cache: { key: ['Bad Header'] } }).join('\n'), /not a header name/);
    assert.match(errors({ cache: { size: 3 } }).join('\n'), /cache\.size: unknown field/);
    assert.match(errors({ colour: 'red' }).join('\n'), /colour: unknown field/);
    assert.match(errors({ cache: { ttl: '-1s' } }).join('\n'), /cache\.ttl/);
  });
});

describe('forwardAuthCache (static): every forwardAuth middleware caches', () => {
  let auth: Upstream;
  let backend: Upstream;
  let gw: TestGateway;

  before(async () => {
    auth = await startUpstream((req, res) => {
      res.writeHead(req.headers.authorization === 'Bearer ok' ? 200 : 401, { 'x-auth-user': 'alice' }).end();
    });
    backend = await startUpstream();
    const forwardAuth = (extra = '') => `
      forwardAuth:
        address: ${auth.url}/auth
        authResponseHeaders: [X-Auth-User]${extra}`;
    gw = await startGateway({
      static: { forwardAuthCache: { ttl: '10s' }, metrics: { prometheus: {} } },
      files: {
        'static-cache.yml': `http:
  routers:
    plain:
      rule: PathPrefix(\`/plain\`)
      middlewares: [plain]
      service: backend
    body:
      rule: PathPrefix(\`/body\`)
      middlewares: [body]
      service: backend
  middlewares:
    plain:${forwardAuth()}
    body:${forwardAuth('\n        forwardBody: true')}
  services:
    backend:
      loadBalancer:
        servers: [{url: "${backend.url}"}]
`,
      },
    });
  });

  after(async () => {
    await gw?.close();
    await auth?.close();
    await backend?.close();
  });

  it('reuses a plain forwardAuth decision, never one made from the body, and counts every decision', async () => {
    for (let i = 0; i < 3; i++) {
      assert.equal(
        (await send(`${gw.web}/plain/x`, { headers: { authorization: 'Bearer ok' } })).status,
        200,
      );
      const post = await send(`${gw.web}/body/x`, {
        method: 'POST',
        headers: { authorization: 'Bearer ok' },
        body: `b${i}`,
      });
      assert.equal(post.status, 200);
    }
    // The plain middleware's auth requests carry no body; forwardBody's carry the request's.
    assert.equal(auth.received.filter((r) => r.body === '').length, 1);
    assert.deepEqual(
      auth.received.filter((r) => r.body !== '').map((r) => r.body),
      ['b0', 'b1', 'b2'],
    );
    const metrics = await fetch(`${gw.admin}/metrics`).then((r) => r.text());
    assert.match(
      metrics,
      /gateway_forwardauth_decisions_total\{middleware="plain@file",decision="allowed"\} 3/,
    );
  });
});
