import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { buildApp } from '../app.ts';
import type { StaticToken } from '../tokens/static-tokens.ts';

function appWith(staticTokens: StaticToken[]) {
  return buildApp({ logLevel: false, staticTokens });
}

const demo = appWith([{ token: 'foobar', principal: 'demo' }]);
after(() => demo.close());

async function auth(authorization?: string, method: 'GET' | 'POST' | 'DELETE' = 'GET', app = demo) {
  return app.inject({ method, url: '/auth', headers: authorization === undefined ? {} : { authorization } });
}

function assertNotAuthenticated(res: Awaited<ReturnType<typeof auth>>) {
  assert.equal(res.statusCode, 403);
  assert.deepEqual(res.json(), { detail: 'Not authenticated' });
  assert.equal(res.headers['x-auth-user'], undefined);
  assert.equal(res.headers['cache-control'], 'no-store');
}

function assertInvalidToken(res: Awaited<ReturnType<typeof auth>>) {
  assert.equal(res.statusCode, 401);
  assert.deepEqual(res.json(), { detail: 'Invalid Token' });
  assert.equal(res.headers['www-authenticate'], 'Bearer error="invalid_token"');
  assert.equal(res.headers['x-auth-user'], undefined);
  assert.equal(res.headers['cache-control'], 'no-store');
}

describe('GET /auth', () => {
  it('answers 403 Not authenticated without an Authorization header', async () => {
    assertNotAuthenticated(await auth());
  });

  it('answers 403 for another scheme', async () => {
    assertNotAuthenticated(await auth('Basic Zm9vOmJhcg=='));
  });

  it('answers 403 for a bearer scheme without a token', async () => {
    assertNotAuthenticated(await auth('Bearer'));
    assertNotAuthenticated(await auth('Bearer '));
    assertNotAuthenticated(await auth('Bearer    '));
    assertNotAuthenticated(await auth('foobar'));
  });

  it('answers 401 Invalid Token for a wrong token', async () => {
    assertInvalidToken(await auth('Bearer foo'));
    assertInvalidToken(await auth('Bearer foobar2'));
    assertInvalidToken(await auth('Bearer FOOBAR'));
  });

  it('accepts the configured token with 200 and the principal in X-Auth-User', async () => {
    const res = await auth('Bearer foobar');
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.json(), { status: 'ok' });
    assert.equal(res.headers['x-auth-user'], 'demo');
    // Reusable for 5 s by a cache keyed on the caller's credentials (the gateway's decision cache) only.
    assert.equal(res.headers['cache-control'], 'max-age=0, s-maxage=5');
    assert.equal(res.headers.vary, 'Authorization, Cookie');
  });

  it('treats the scheme case-insensitively', async () => {
    for (const scheme of ['bearer', 'BEARER', 'bEaReR']) {
      const res = await auth(`${scheme} foobar`);
      assert.equal(res.statusCode, 200, scheme);
      assert.equal(res.headers['x-auth-user'], 'demo');
    }
  });

  it('answers any method the same way (preserveRequestMethod)', async () => {
    const post = await auth('Bearer foobar', 'POST');
    assert.equal(post.statusCode, 200);
    assert.equal(post.headers['x-auth-user'], 'demo');
    assertInvalidToken(await auth('Bearer foo', 'DELETE'));
  });

  it('ignores a forwarded body whatever its content type', async () => {
    const res = await demo.inject({
      method: 'PUT',
      url: '/auth',
      headers: { authorization: 'Bearer foobar', 'content-type': 'application/json' },
      payload: '{not json',
    });
    assert.equal(res.statusCode, 200);
    const xml = await demo.inject({
      method: 'POST',
      url: '/auth',
      headers: { 'content-type': 'application/xml' },
      payload: '<a/>',
    });
    assertNotAuthenticated(xml);
  });

  it('reports the principal of whichever of several tokens matched', async () => {
    const app = appWith([
      { token: 'alpha', principal: 'alice' },
      { token: 'bravo', principal: 'bob' },
      { token: 'charlie', principal: 'static-token' },
    ]);
    for (const [token, principal] of [
      ['alpha', 'alice'],
      ['bravo', 'bob'],
      ['charlie', 'static-token'],
    ] as const) {
      const res = await auth(`Bearer ${token}`, 'GET', app);
      assert.equal(res.statusCode, 200, token);
      assert.equal(res.headers['x-auth-user'], principal);
    }
    assertInvalidToken(await auth('Bearer delta', 'GET', app));
  });

  it('rejects every bearer token when none is configured', async () => {
    const app = appWith([]);
    assertInvalidToken(await auth('Bearer foobar', 'GET', app));
    assertInvalidToken(await auth('Bearer static-token', 'GET', app));
    assertNotAuthenticated(await auth(undefined, 'GET', app));
  });
});

describe('GET /', () => {
  it('answers the title', async () => {
    const res = await demo.inject('/');
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.json(), { title: 'Forward Auth API' });
  });

  it('answers unknown paths with a JSON 404', async () => {
    const res = await demo.inject('/nope');
    assert.equal(res.statusCode, 404);
    assert.deepEqual(res.json(), { detail: 'Not Found' });
  });
});
