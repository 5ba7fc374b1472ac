import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { eventually, send, startGateway, type TestGateway } from '../testing/harness.ts';
import { upstreamWithHealth } from '../testing/service-upstreams.ts';
import { cookieName, hashName } from './sticky.ts';

describe('cookie names and values (Traefik pkg/server/cookie, sticky.go)', { timeout: 30_000 }, () => {
  it('derives the default name from the service name, sanitises a given one', () => {
    const expected = `_${createHash('sha1').update('_TRAEFIK_BACKEND_app@file').digest('hex')}`.slice(0, 6);
    assert.equal(cookieName(undefined, 'app@file'), expected);
    assert.equal(cookieName('', 'app@file'), expected);
    assert.equal(cookieName('my cookie/é', 'app@file'), 'my_cookie__');
    assert.equal(cookieName("a!#$%&'*+-.^`|~z_", 'x'), "a!#$%&'*+-.^`|~z_");
    // Traefik's cookie_test.go cases.
    assert.equal(cookieName('', '/my/BACKEND-v1.0~rc1'), '_5f7bc');
    assert.equal(cookieName(undefined, 'backend'), '_76eb3');
    assert.equal(cookieName('/my/BACKEND-v1.0~rc1', ''), '_my_BACKEND-v1.0~rc1');
    assert.equal(cookieName('cookie', 'backend'), 'cookie');
    assert.equal(cookieName("!#$%&'()*+-./:<=>?@[]^_`{|}~", 'x'), "!#$%&'__*+-._________^_`_|_~");
  });
  it('names a member by the first 16 hex digits of its SHA-256', () => {
    assert.equal(
      hashName('http://127.0.0.1:8080'),
      createHash('sha256').update('http://127.0.0.1:8080').digest('hex').slice(0, 16),
    );
    assert.equal(hashName('x').length, 16);
  });
});

describe('loadBalancer.sticky.cookie', { timeout: 30_000 }, () => {
  let a: Awaited<ReturnType<typeof upstreamWithHealth>>;
  let b: Awaited<ReturnType<typeof upstreamWithHealth>>;
  let gw: TestGateway;

  before(async () => {
    a = await upstreamWithHealth('a');
    b = await upstreamWithHealth('b');
    gw = await startGateway({
      files: {
        'sticky.yml': `http:
  routers:
    plain: {rule: "PathPrefix(\`/plain\`)", service: plain}
    custom: {rule: "PathPrefix(\`/custom\`)", service: custom}
  services:
    plain:
      loadBalancer:
        servers: [{url: "${a.upstream.url}"}, {url: "${b.upstream.url}"}]
        sticky: {cookie: {}}
        healthCheck: {path: /health, interval: 100ms}
    custom:
      loadBalancer:
        servers: [{url: "${a.upstream.url}"}, {url: "${b.upstream.url}"}]
        sticky:
          cookie: {name: "my session", secure: true, httpOnly: true, sameSite: LAX, maxAge: 60, path: /custom, domain: example.com}
`,
      },
    });
  });
  after(async () => {
    await gw.close();
    await a.upstream.close();
    await b.upstream.close();
  });

  it('sets a cookie naming the server on the first answer; later requests with it stay on that server', async () => {
    const name = cookieName(undefined, 'plain@file');
    const first = await send(`${gw.web}/plain`);
    const server = first.body === 'a' ? a.upstream.url : b.upstream.url;
    assert.equal(first.headers['set-cookie'], `${name}=${hashName(server)}; Path=/`);
    for (let i = 0; i < 4; i++) {
      const again = await send(`${gw.web}/plain`, {
        headers: { cookie: `other=1; ${name}=${hashName(server)}` },
      });
      assert.equal(again.body, first.body);
      assert.equal(again.headers['set-cookie'], undefined);
    }
    // Without the cookie, round robin goes on and each answer sets one.
    const other = await send(`${gw.web}/plain`);
    assert.ok(other.headers['set-cookie']);
  });

  it('accepts the server URL itself as the value (older Traefik cookies) and rewrites it', async () => {
    const name = cookieName(undefined, 'plain@file');
    const reply = await send(`${gw.web}/plain`, { headers: { cookie: `${name}=${b.upstream.url}` } });
    assert.equal(reply.body, 'b');
    assert.equal(reply.headers['set-cookie'], `${name}=${hashName(b.upstream.url)}; Path=/`);
  });

  it('moves a client pinned to a server that went down, and rewrites the cookie', async () => {
    const name = cookieName(undefined, 'plain@file');
    a.health.status = 500;
    try {
      await eventually(async () => {
        const services = (await send(`${gw.admin}/api/http/services/plain@file`)).json<{
          serverStatus: Record<string, string>;
        }>();
        return services.serverStatus[a.upstream.url] === 'DOWN';
      });
      const reply = await send(`${gw.web}/plain`, {
        headers: { cookie: `${name}=${hashName(a.upstream.url)}` },
      });
      assert.equal(reply.body, 'b');
      assert.equal(reply.headers['set-cookie'], `${name}=${hashName(b.upstream.url)}; Path=/`);
    } finally {
      a.health.status = 200;
    }
  });

  it('keeps a pinned client on its server across a reload that keeps the server', async () => {
    const name = cookieName(undefined, 'plain@file');
    const cookie = `${name}=${hashName(b.upstream.url)}`;
    const reloaded = gw.gateway.nextReload();
    await gw.write(
      'more.yml',
      'http:\n  routers:\n    more: {rule: "PathPrefix(`/more`)", service: plain}\n',
    );
    await reloaded;
    for (let i = 0; i < 3; i++) {
      assert.equal((await send(`${gw.web}/plain`, { headers: { cookie } })).body, 'b');
      assert.equal((await send(`${gw.web}/more`, { headers: { cookie } })).body, 'b');
    }
  });

  it('writes the configured attributes in Go http.Cookie order', async () => {
    const reply = await send(`${gw.web}/custom`);
    const server = reply.body === 'a' ? a.upstream.url : b.upstream.url;
    assert.equal(
      reply.headers['set-cookie'],
      `my_session=${hashName(server)}; Path=/custom; Domain=example.com; Max-Age=60; HttpOnly; Secure; SameSite=Lax`,
    );
  });
});
