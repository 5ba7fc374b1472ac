import assert from 'node:assert/strict';
import { createHmac, createPublicKey } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { buildApp } from '../app.ts';
import { TokenIssuer } from '../testing/token-issuer.ts';
import type { JwtIssuer } from './issuers.ts';
import type { JwksOptions } from './jwks.ts';

const b64 = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

function issuerConfig(issuer: TokenIssuer, overrides: Partial<JwtIssuer> = {}): JwtIssuer {
  return {
    issuer: issuer.issuer,
    jwksUrl: issuer.jwksUrl,
    audiences: ['api://test'],
    algorithms: ['RS256'],
    clockTolerance: 30,
    requiredClaims: [{ name: 'roles', match: 'any', values: ['invokeRole'] }],
    ...overrides,
  };
}

function appFor(issuers: JwtIssuer[], jwks: JwksOptions = { cooldownMs: 0 }) {
  return buildApp({
    logLevel: false,
    staticTokens: [{ token: 'foobar', principal: 'demo' }],
    jwtIssuers: issuers,
    jwks,
  });
}

async function check(app: ReturnType<typeof appFor>, token: string): Promise<LightMyRequestResponse> {
  return app.inject({ method: 'GET', url: '/auth', headers: { authorization: `Bearer ${token}` } });
}

function assertRefused(res: LightMyRequestResponse, reason: RegExp): void {
  assert.equal(res.statusCode, 401, res.body);
  const { detail } = res.json<{ detail: string }>();
  assert.match(detail, /^Invalid Token: /);
  assert.match(detail, reason);
  assert.match(
    String(res.headers['www-authenticate']),
    /^Bearer error="invalid_token", error_description="[^"]+"$/,
  );
  assert.equal(res.headers['x-auth-user'], undefined);
  assert.equal(res.headers['cache-control'], 'no-store');
}

describe('JWT mode', () => {
  let issuer: TokenIssuer;
  let app: ReturnType<typeof appFor>;
  before(async () => {
    issuer = await TokenIssuer.start();
    app = appFor([issuerConfig(issuer)]);
  });
  after(async () => {
    await app.close();
    await issuer.close();
  });

  it('accepts a valid token with the identity headers', async () => {
    const res = await check(
      app,
      await issuer.sign({ claims: { roles: ['invokeRole', 'reader'], email: 'c@example.com' } }),
    );
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(res.json(), { status: 'ok' });
    assert.equal(res.headers['x-auth-user'], 'client-1');
    assert.equal(res.headers['x-auth-client'], 'client-1');
    assert.equal(res.headers['x-auth-roles'], 'invokeRole,reader');
    assert.equal(res.headers['x-auth-email'], 'c@example.com');
  });

  it('takes the client from client_id when azp is absent (oidc-provider without customizer)', async () => {
    const res = await check(app, await issuer.sign({ claims: { azp: undefined, client_id: 'cc-client' } }));
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.headers['x-auth-client'], 'cc-client');
  });

  /** Claims that would pass every check, for tokens built by hand. */
  const handMadeClaims = () => ({
    iss: issuer.issuer,
    aud: 'api://test',
    sub: 'x',
    exp: Math.floor(Date.now() / 1000) + 60,
    roles: ['invokeRole'],
  });

  /** The classic confusion attack: HS256 with the issuer's public key (PEM) as the HMAC secret. */
  function hs256WithPublicKey(): string {
    const pem = createPublicKey({ key: issuer.publicJwk(), format: 'jwk' }).export({
      type: 'spki',
      format: 'pem',
    });
    const signingInput = `${b64({ alg: 'HS256', typ: 'JWT', kid: 'key-1' })}.${b64(handMadeClaims())}`;
    return `${signingInput}.${createHmac('sha256', pem).update(signingInput).digest('base64url')}`;
  }

  it('refuses alg none', async () => {
    const token = `${b64({ alg: 'none', typ: 'JWT', kid: 'key-1' })}.${b64(handMadeClaims())}.`;
    assertRefused(await check(app, token), /algorithm not allowed/);
  });

  it('refuses HS256 signed with the public key as the HMAC secret', async () => {
    assertRefused(await check(app, hs256WithPublicKey()), /algorithm not allowed/);
  });

  it('refuses HS256 even when the issuer is configured for several asymmetric algorithms', async () => {
    const multi = appFor([issuerConfig(issuer, { algorithms: ['RS256', 'PS256', 'ES256'] })]);
    assertRefused(await check(multi, hs256WithPublicKey()), /algorithm not allowed/);
    // An allowed algorithm that is not the published key's: no key matches, whatever the signature.
    const es = `${b64({ alg: 'ES256', kid: 'key-1' })}.${b64(handMadeClaims())}.${'A'.repeat(86)}`;
    assertRefused(await check(multi, es), /no key of the issuer matches/);
    await multi.close();
  });

  it('refuses an expired token, and accepts one expired within the clock tolerance', async () => {
    const now = Math.floor(Date.now() / 1000);
    assertRefused(
      await check(app, await issuer.sign({ claims: { iat: now - 7200, exp: now - 3600 } })),
      /expired/,
    );
    const recent = await check(app, await issuer.sign({ claims: { iat: now - 600, exp: now - 10 } }));
    assert.equal(recent.statusCode, 200, recent.body);
    const strict = appFor([issuerConfig(issuer, { clockTolerance: 0 })]);
    assertRefused(
      await check(strict, await issuer.sign({ claims: { iat: now - 600, exp: now - 10 } })),
      /expired/,
    );
    await strict.close();
  });

  it('refuses a token that is not yet valid', async () => {
    const now = Math.floor(Date.now() / 1000);
    assertRefused(await check(app, await issuer.sign({ claims: { nbf: now + 3600 } })), /not yet valid/);
  });

  it('refuses a token without exp, aud, iss or sub', async () => {
    assertRefused(
      await check(app, await issuer.sign({ claims: { exp: undefined } })),
      /exp claim is required/,
    );
    assertRefused(
      await check(app, await issuer.sign({ claims: { aud: undefined } })),
      /aud claim is required/,
    );
    assertRefused(await check(app, await issuer.sign({ claims: { iss: undefined } })), /issuer not accepted/);
    assertRefused(
      await check(app, await issuer.sign({ claims: { sub: undefined } })),
      /sub claim is required/,
    );
  });

  it('refuses a wrong issuer, including a look-alike with a trailing slash', async () => {
    assertRefused(
      await check(app, await issuer.sign({ claims: { iss: 'https://evil.example' } })),
      /issuer not accepted/,
    );
    assertRefused(
      await check(app, await issuer.sign({ claims: { iss: `${issuer.issuer}/` } })),
      /issuer not accepted/,
    );
  });

  it('refuses a wrong audience, or a token for another resource of the same issuer', async () => {
    assertRefused(
      await check(app, await issuer.sign({ claims: { aud: 'api://other' } })),
      /aud claim value is not allowed/,
    );
    assertRefused(await check(app, await issuer.sign({ claims: { aud: ['api://a', 'api://b'] } })), /aud/);
    const ok = await check(app, await issuer.sign({ claims: { aud: ['api://other', 'api://test'] } }));
    assert.equal(ok.statusCode, 200, ok.body);
  });

  it('refuses a tampered payload', async () => {
    const [header, , signature] = (await issuer.sign({ claims: { roles: [] } })).split('.');
    const forged = b64({
      iss: issuer.issuer,
      aud: 'api://test',
      sub: 'admin',
      roles: ['invokeRole'],
      exp: Math.floor(Date.now() / 1000) + 300,
    });
    assertRefused(await check(app, `${header}.${forged}.${signature}`), /signature is invalid/);
  });

  it('refuses a token signed by a key the issuer does not publish under the same kid', async () => {
    const other = await TokenIssuer.start();
    try {
      const token = await other.sign({ claims: { iss: issuer.issuer } });
      assertRefused(await check(app, token), /signature is invalid/);
    } finally {
      await other.close();
    }
  });

  it('refuses an unknown kid, and accepts a rotated key once it is published', async () => {
    await issuer.addKey('key-2', { publish: false });
    const token = await issuer.sign({ kid: 'key-2' });
    assertRefused(await check(app, token), /no key of the issuer matches/);
    issuer.publish('key-2');
    const res = await check(app, token);
    assert.equal(res.statusCode, 200, res.body);
    // The old key still verifies the tokens it signed.
    assert.equal((await check(app, await issuer.sign({ kid: 'key-1' }))).statusCode, 200);
  });

  it('does not fetch the JWKS again for the same unknown kid during the cooldown', async () => {
    const cooled = appFor([issuerConfig(issuer)], { cooldownMs: 60_000 });
    await issuer.addKey('key-3', { publish: false });
    const before = issuer.jwksFetches;
    for (let i = 0; i < 5; i++) {
      assertRefused(await check(cooled, await issuer.sign({ kid: 'key-3' })), /no key of the issuer matches/);
    }
    assert.equal(issuer.jwksFetches - before, 1);
    // Other keys are looked up during the cooldown.
    assert.equal((await check(cooled, await issuer.sign())).statusCode, 200);
    await cooled.close();
  });

  it('answers 403 insufficient_scope for a missing role, 401 stays for invalid tokens', async () => {
    for (const roles of [['reader'], [], undefined, 'invokeRole-not']) {
      const res = await check(app, await issuer.sign({ claims: { roles } }));
      assert.equal(res.statusCode, 403, JSON.stringify(roles));
      assert.deepEqual(res.json(), { detail: 'Insufficient scope: roles must contain invokeRole' });
      assert.equal(
        res.headers['www-authenticate'],
        'Bearer error="insufficient_scope", error_description="roles must contain invokeRole"',
      );
      assert.equal(res.headers['x-auth-user'], undefined);
    }
  });

  it('applies all-of and any-of requirements and space-separated scopes', async () => {
    const strict = appFor([
      issuerConfig(issuer, {
        requiredClaims: [
          { name: 'roles', match: 'all', values: ['invokeRole', 'reader'] },
          { name: 'scope', match: 'any', values: ['adder.read', 'adder.write'], separator: ' ' },
        ],
      }),
    ]);
    const both = { roles: ['reader', 'invokeRole'], scope: 'openid adder.write' };
    assert.equal((await check(strict, await issuer.sign({ claims: both }))).statusCode, 200);
    const oneRole = await check(strict, await issuer.sign({ claims: { ...both, roles: ['invokeRole'] } }));
    assert.equal(oneRole.statusCode, 403);
    assert.match(oneRole.json<{ detail: string }>().detail, /roles must contain all of invokeRole, reader/);
    const noScope = await check(strict, await issuer.sign({ claims: { ...both, scope: 'openid' } }));
    assert.equal(noScope.statusCode, 403);
    assert.match(
      noScope.json<{ detail: string }>().detail,
      /scope must contain one of adder.read, adder.write/,
    );
    await strict.close();
  });

  it('refuses a sub that cannot be a header value', async () => {
    assertRefused(
      await check(app, await issuer.sign({ claims: { sub: 'a\r\nX-Injected: 1' } })),
      /sub claim/,
    );
    assertRefused(await check(app, await issuer.sign({ claims: { sub: 'Zoë' } })), /sub claim/);
  });

  it('leaves other tokens to static tokens, answering those as before', async () => {
    const ok = await check(app, 'foobar');
    assert.equal(ok.statusCode, 200);
    assert.equal(ok.headers['x-auth-user'], 'demo');
    for (const token of ['foo', 'a.b.c', 'e30.e30.e30', 'not.a.jwt.at.all']) {
      const res = await check(app, token);
      assert.equal(res.statusCode, 401, token);
      assert.equal(res.body, '{"detail":"Invalid Token"}');
      assert.equal(res.headers['www-authenticate'], 'Bearer error="invalid_token"');
    }
  });

  it('answers 401 for a malformed JWT payload, never 500', async () => {
    const header = b64({ alg: 'RS256', kid: 'key-1' });
    for (const payload of ['', '!!!', b64('a string'), b64([1, 2])]) {
      const res = await check(app, `${header}.${payload}.sig`);
      assert.equal(res.statusCode, 401, payload);
    }
  });

  it('with two issuers, holds each to its own audience', async () => {
    const second = await TokenIssuer.start();
    const both = appFor([
      issuerConfig(issuer),
      issuerConfig(second, { audiences: ['api://second'], requiredClaims: [] }),
    ]);
    try {
      assert.equal((await check(both, await issuer.sign())).statusCode, 200);
      assert.equal(
        (await check(both, await second.sign({ claims: { aud: 'api://second' } }))).statusCode,
        200,
      );
      assertRefused(await check(both, await second.sign()), /aud/);
      // A token naming the first issuer but signed by the second is checked against the first's keys.
      assertRefused(await check(both, await second.sign({ claims: { iss: issuer.issuer } })), /signature/);
    } finally {
      await both.close();
      await second.close();
    }
  });

  it('finds the JWKS through discovery when no JWKS URL is configured', async () => {
    const discovering = appFor([issuerConfig(issuer, { jwksUrl: null })]);
    assert.equal((await check(discovering, await issuer.sign())).statusCode, 200);
    await discovering.close();
  });
});

describe('JWT mode with the issuer down', () => {
  it('answers 503 when the keys cannot be fetched and none is cached, and keeps serving cached keys', async () => {
    const issuer = await TokenIssuer.start();
    const app = appFor([issuerConfig(issuer)]);
    const token = await issuer.sign();
    assert.equal((await check(app, token)).statusCode, 200);
    await issuer.addKey('key-new', { publish: false });
    const uncached = await issuer.sign({ kid: 'key-new' });
    await issuer.close();

    assert.equal((await check(app, token)).statusCode, 200, 'a cached key still verifies');
    const res = await check(app, uncached);
    assert.equal(res.statusCode, 503);
    assert.deepEqual(res.json(), { detail: 'Token issuer unavailable' });
    assert.equal(res.headers['x-auth-user'], undefined);

    const fresh = appFor([issuerConfig(issuer)]);
    assert.equal((await check(fresh, token)).statusCode, 503);
    await app.close();
    await fresh.close();
  });

  it('answers 503 when the issuer hangs, after the timeout', async () => {
    const issuer = await TokenIssuer.start();
    const app = appFor([issuerConfig(issuer)], { timeoutMs: 200, cooldownMs: 0 });
    issuer.hang();
    const started = Date.now();
    const res = await check(app, await issuer.sign());
    assert.equal(res.statusCode, 503);
    assert.ok(Date.now() - started < 2_000);
    await app.close();
    await issuer.close();
  });

  it('answers 503 for a JWKS that is not JSON or not 2xx', async () => {
    const { createServer } = await import('node:http');
    const broken = createServer((req, res) => {
      if (req.url === '/jwks') res.writeHead(500, { 'content-type': 'text/html' }).end('<h1>oops</h1>');
      else res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => broken.listen(0, '127.0.0.1', resolve));
    const issuer = await TokenIssuer.start();
    const address = broken.address() as { port: number };
    const app = appFor([issuerConfig(issuer, { jwksUrl: `http://127.0.0.1:${address.port}/jwks` })]);
    const res = await check(app, await issuer.sign());
    assert.equal(res.statusCode, 503);
    await app.close();
    await issuer.close();
    broken.close();
  });
});
