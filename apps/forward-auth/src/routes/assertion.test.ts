/**
 * The identity assertion on a real port: forward-auth signs it on 200 for the audiences of its address, and the
 * backends' verifier (@gateway-pattern/identity-assertion) accepts it against forward-auth's own published key.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { AssertionVerifier, type IdentityAssertion } from '@gateway-pattern/identity-assertion';
import type { LightMyRequestResponse } from 'fastify';
import { buildApp } from '../app.ts';
import { SESSION_COOKIE } from '../login/session.ts';
import { testLoginConfig } from '../testing/login-config.ts';
import { TokenIssuer } from '../testing/token-issuer.ts';

let issuer: TokenIssuer;
let app: ReturnType<typeof buildApp>;
let verifier: AssertionVerifier;

before(async () => {
  issuer = await TokenIssuer.start();
  app = buildApp({
    logLevel: false,
    staticTokens: [{ token: 'foobar', principal: 'demo' }],
    jwtIssuers: [
      {
        issuer: issuer.issuer,
        jwksUrl: issuer.jwksUrl,
        audiences: ['api://test'],
        algorithms: ['RS256'],
        clockTolerance: 30,
        requiredClaims: [],
      },
    ],
    // Never contacted: these tests bring their own session cookie.
    login: testLoginConfig('http://127.0.0.1:9', {
      clientSecret: null,
      scope: 'openid',
      cookieKeys: [Buffer.alloc(32, 3)],
      postLogoutRedirectUrl: 'http://localhost:8000/',
    }),
    oidc: { timeoutSeconds: 1, retryAfterMs: 0 },
    assertion: { issuer: 'forward-auth-under-test', ttlSeconds: 60 },
  });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  verifier = new AssertionVerifier({
    jwksUrl: new URL('/.well-known/jwks.json', url),
    issuer: 'forward-auth-under-test',
    audiences: ['model-service'],
  });
});
after(async () => {
  await app.close();
  await issuer.close();
});

const auth = (query: string, headers: Record<string, string> = { authorization: 'Bearer foobar' }) =>
  app.inject({ url: `/auth${query}`, headers });

/** Verifies the answer's assertion and checks that the plain identity headers say the same. */
async function assertionOf(res: LightMyRequestResponse): Promise<IdentityAssertion> {
  assert.equal(res.statusCode, 200, res.body);
  const token = res.headers['x-auth-assertion'];
  assert.equal(typeof token, 'string');
  const assertion = await verifier.verify(token as string);
  assert.equal(res.headers['x-auth-user'], assertion.sub);
  assert.equal(res.headers['x-auth-email'], assertion.email);
  assert.equal(
    res.headers['x-auth-roles'],
    assertion.roles.length > 0 ? assertion.roles.join(',') : undefined,
  );
  assert.equal(res.headers['x-auth-client'], assertion.client);
  return assertion;
}

describe('identity assertion', () => {
  it('publishes the signing key at /.well-known/jwks.json', async () => {
    const res = await app.inject('/.well-known/jwks.json');
    assert.equal(res.statusCode, 200);
    const { keys } = res.json<{ keys: Array<Record<string, string>> }>();
    assert.equal(keys.length, 1);
    assert.equal(keys[0]?.alg, 'ES256');
    assert.equal(keys[0]?.d, undefined, 'no private part');
  });

  it('asserts a static token: sub is the principal, no roles, for the audiences of the address', async () => {
    const assertion = await assertionOf(await auth('?aud=pybackend-ts&aud=model-service'));
    assert.equal(assertion.sub, 'demo');
    assert.deepEqual(assertion.roles, []);
    assert.deepEqual(assertion.aud, ['pybackend-ts', 'model-service']);
    assert.equal(assertion.iss, 'forward-auth-under-test');
    assert.equal(assertion.exp - assertion.iat, 60);
    assert.ok(Math.abs(assertion.iat - Date.now() / 1000) < 5);
    assert.equal('email' in assertion || 'client' in assertion, false);
    assert.equal((await assertionOf(await auth('?aud=model-service'))).aud, 'model-service');
  });

  it('asserts a JWT: sub, roles, email and the client of a machine', async () => {
    const token = await issuer.sign({
      claims: { sub: 'adder-cli', azp: 'adder-cli', roles: ['invokeRole'], email: 'cli@example.com' },
    });
    const assertion = await assertionOf(
      await auth('?aud=model-service', { authorization: `Bearer ${token}` }),
    );
    assert.equal(assertion.sub, 'adder-cli');
    assert.equal(assertion.client, 'adder-cli');
    assert.deepEqual(assertion.roles, ['invokeRole']);
    assert.equal(assertion.email, 'cli@example.com');
  });

  it("lets a cache keep an allow no longer than 5 s, nor past the caller's JWT", async () => {
    const now = Math.floor(Date.now() / 1000);
    const longLived = await issuer.sign({ claims: { exp: now + 300 } });
    const ending = await issuer.sign({ claims: { exp: now + 3 } });
    // Within clockTolerance (30 s) of its exp: still accepted, but not to be kept at all.
    const ended = await issuer.sign({ claims: { exp: now - 1 } });
    const cacheControl = async (token: string) => {
      const res = await auth('?aud=model-service', { authorization: `Bearer ${token}` });
      assert.equal(res.statusCode, 200);
      return res.headers['cache-control'];
    };
    assert.equal(await cacheControl(longLived), 'max-age=0, s-maxage=5');
    assert.match(String(await cacheControl(ending)), /^max-age=0, s-maxage=[23]$/);
    assert.equal(await cacheControl(ended), 'no-store');
  });

  it('asserts a browser session: sub, email and roles, no client', async () => {
    const session = app.createSecureSession({
      user: { sub: 'alice', email: 'alice@example.com', roles: ['reader'], exp: Date.now() / 1000 + 600 },
    });
    const cookie = `${SESSION_COOKIE}=${encodeURIComponent(app.encodeSecureSession(session, 'session'))}`;
    const assertion = await assertionOf(await auth('?aud=model-service', { cookie }));
    assert.equal(assertion.sub, 'alice');
    assert.equal(assertion.email, 'alice@example.com');
    assert.deepEqual(assertion.roles, ['reader']);
    assert.equal(assertion.client, undefined);
  });

  it('signs nothing for an address without aud, nor for a refusal', async () => {
    const plain = await auth('');
    assert.equal(plain.statusCode, 200);
    assert.equal(plain.headers['x-auth-user'], 'demo');
    assert.equal(plain.headers['x-auth-assertion'], undefined);
    for (const headers of [{}, { authorization: 'Bearer wrong' }] as Record<string, string>[]) {
      const refused = await auth('?aud=model-service', headers);
      assert.ok(refused.statusCode === 401 || refused.statusCode === 403);
      assert.equal(refused.headers['x-auth-assertion'], undefined);
    }
  });

  it('answers 500 for an address whose aud cannot be an audience, whoever asks', async () => {
    const tooMany = Array.from({ length: 9 }, (_, i) => `aud=a${i}`).join('&');
    for (const query of ['?aud=', '?aud=a%20b', `?aud=${'a'.repeat(257)}`, `?${tooMany}`, '?aud=%0d%0a']) {
      for (const headers of [{ authorization: 'Bearer foobar' }, {}] as Record<string, string>[]) {
        const res = await auth(query, headers);
        assert.equal(res.statusCode, 500, query);
        assert.match(res.json<{ detail: string }>().detail, /^Misconfigured forwardAuth address/);
        assert.equal(res.headers['x-auth-user'], undefined);
      }
    }
  });

  it('gives each assertion its own jti', async () => {
    const [a, b] = await Promise.all([auth('?aud=model-service'), auth('?aud=model-service')]);
    assert.notEqual((await assertionOf(a!)).jti, (await assertionOf(b!)).jti);
  });
});
