import assert from 'node:assert/strict';
import { generateKeyPairSync, sign } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { SignJWT } from 'jose';
import { derToP1363 } from './ecdsa.ts';
import { AssertionKeysUnavailableError, InvalidAssertionError } from './errors.ts';
import { AssertionSigner } from './signer.ts';
import { refusedAssertions, startTestAssertionIssuer, type TestAssertionIssuer } from './testing.ts';
import { AssertionVerifier, type AssertionVerifierOptions } from './verifier.ts';

let issuer: TestAssertionIssuer;
let verifier: AssertionVerifier;
before(async () => {
  issuer = await startTestAssertionIssuer();
  verifier = new AssertionVerifier({
    jwksUrl: issuer.jwksUrl,
    issuer: issuer.issuer,
    audiences: ['model-service'],
  });
});
after(() => issuer.close());

describe('AssertionVerifier', () => {
  it('accepts a valid assertion for one of its audiences and returns its claims', async () => {
    const token = await issuer.signer.sign({ sub: 'demo', roles: ['reader'], email: 'demo@example.com' }, [
      'pybackend-ts',
      'model-service',
    ]);
    const assertion = await verifier.verify(token);
    assert.equal(assertion.sub, 'demo');
    assert.deepEqual(assertion.roles, ['reader']);
    assert.equal(assertion.email, 'demo@example.com');
    assert.deepEqual(assertion.aud, ['pybackend-ts', 'model-service']);
    assert.equal(assertion.iss, issuer.issuer);
    assert.equal(assertion.exp - assertion.iat, 60);
  });

  it('fetches the key set once and caches it', async () => {
    const fresh = await startTestAssertionIssuer();
    try {
      const v = new AssertionVerifier({ jwksUrl: fresh.jwksUrl, issuer: fresh.issuer, audiences: ['a'] });
      for (let i = 0; i < 3; i += 1)
        await v.verify(await fresh.signer.sign({ sub: 'demo', roles: [] }, ['a']));
      assert.equal(fresh.fetches(), 1);
    } finally {
      await fresh.close();
    }
  });

  it('refuses each bad assertion with a 401 naming why', async () => {
    for (const { name, token, reason } of await refusedAssertions(issuer, 'model-service')) {
      await assert.rejects(verifier.verify(token), (err: unknown) => {
        assert.ok(err instanceof InvalidAssertionError, name);
        assert.equal(err.statusCode, 401);
        assert.match(err.message, reason, name);
        return true;
      });
    }
  });

  it('refuses an iat in the future, a lifetime over an hour and claims of the wrong type', async () => {
    const now = Math.floor(Date.now() / 1000);
    // Signed with the real key, so only the claims are wrong.
    const raw = (claims: Record<string, unknown>) =>
      new SignJWT({ sub: 'demo', roles: [], jti: 'j', iat: now, exp: now + 60, ...claims })
        .setProtectedHeader({ alg: 'ES256', kid: issuer.signer.kid })
        .setIssuer(issuer.issuer)
        .setAudience('model-service')
        .sign(issuer.privateKey);
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ iat: now + 120, exp: now + 180 }, /not yet valid/],
      [{ exp: now + 3601 }, /lifetime too long/],
      [{ roles: 'admin' }, /wrong type/],
      [{ roles: [1] }, /wrong type/],
      [{ email: 42 }, /wrong type/],
      [{ sub: '' }, /wrong type/],
      [{ jti: undefined }, /jti claim is required/],
    ];
    for (const [claims, reason] of cases) {
      await assert.rejects(verifier.verify(await raw(claims)), (err: unknown) => {
        assert.ok(err instanceof InvalidAssertionError);
        assert.match(err.message, reason, JSON.stringify(claims));
        return true;
      });
    }
    assert.equal((await verifier.verify(await raw({ exp: now + 3600 }))).sub, 'demo', 'an hour is the bound');
  });

  it('answers 503 when the key set cannot be fetched', async () => {
    const gone = await startTestAssertionIssuer();
    const v = new AssertionVerifier({ jwksUrl: gone.jwksUrl, issuer: gone.issuer, audiences: ['a'] });
    const token = await gone.signer.sign({ sub: 'demo', roles: [] }, ['a']);
    await gone.close();
    await assert.rejects(
      v.verify(token),
      (err: unknown) => err instanceof AssertionKeysUnavailableError && err.statusCode === 503,
    );
    const notFound = new AssertionVerifier({
      jwksUrl: new URL('/nope', issuer.jwksUrl),
      issuer: issuer.issuer,
      audiences: ['a'],
    });
    await assert.rejects(notFound.verify(token), AssertionKeysUnavailableError);
  });

  it('refuses bad options at construction', () => {
    const base = { jwksUrl: issuer.jwksUrl, issuer: 'x', audiences: ['a'] };
    assert.throws(
      () => new AssertionVerifier({ ...base, jwksUrl: new URL('file:///etc/passwd') }),
      /jwksUrl/,
    );
    assert.throws(() => new AssertionVerifier({ ...base, issuer: '' }), /issuer/);
    assert.throws(() => new AssertionVerifier({ ...base, audiences: [] }), /audiences/);
    assert.throws(() => new AssertionVerifier({ ...base, clockToleranceSeconds: 61 }), /clockTolerance/);
  });
});

describe('AssertionVerifier: assertions verified once', () => {
  it('gives a repeated assertion from memory until it expires, then refuses it', async () => {
    const fresh = await startTestAssertionIssuer();
    try {
      const v = new AssertionVerifier({
        jwksUrl: fresh.jwksUrl,
        issuer: fresh.issuer,
        audiences: ['a'],
        clockToleranceSeconds: 0,
      });
      // Issued 58.5 s ago with the signer's 60 s lifetime (iat in whole seconds): valid for 0.5 to 1.5 s more.
      const token = await fresh.signer.sign({ sub: 'demo', roles: ['r'] }, ['a'], Date.now() - 58_500);
      const first = await v.verify(token);
      first.roles.push('mutated');
      const again = await v.verify(token);
      assert.deepEqual(again.roles, ['r'], 'each caller gets its own copy');
      await new Promise((resolve) => setTimeout(resolve, 1600));
      await assert.rejects(v.verify(token), (err: unknown) => {
        assert.ok(err instanceof InvalidAssertionError);
        assert.match((err as Error).message, /expired/);
        return true;
      });
    } finally {
      await fresh.close();
    }
  });

  it('never remembers a refused assertion', async () => {
    for (const { name, token } of await refusedAssertions(issuer, 'model-service')) {
      for (let i = 0; i < 2; i += 1)
        await assert.rejects(verifier.verify(token), InvalidAssertionError, name);
    }
  });

  it('refuses a remembered assertion changed in any byte: another token, checked in full', async () => {
    const token = await issuer.signer.sign({ sub: 'demo', roles: ['reader'] }, ['model-service']);
    assert.equal((await verifier.verify(token)).sub, 'demo');
    const [header, payload, signature] = token.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
    const admin = Buffer.from(JSON.stringify({ ...claims, roles: ['admin'] })).toString('base64url');
    const flipped = `${signature.slice(0, -2)}${signature.at(-2) === 'A' ? 'B' : 'A'}${signature.at(-1)}`;
    const tampered = [
      `${header}.${admin}.${signature}`,
      `${header}.${payload}.${flipped}`,
      `${header}.${payload}.${signature.slice(0, -1)}`,
      `${header}.${payload}.${signature}A`,
      `${header}.${payload}.${signature}.`,
      `${header}.${payload}=.${signature}`,
      ` ${token}`,
    ];
    for (const forged of tampered) {
      await assert.rejects(verifier.verify(forged), InvalidAssertionError, forged);
    }
    assert.equal((await verifier.verify(token)).sub, 'demo', 'the genuine one still passes');
  });

  it('refuses a header marking an extension critical, even when signed with the real key', async () => {
    const now = Math.floor(Date.now() / 1000);
    const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const input = `${part({ alg: 'ES256', kid: issuer.signer.kid, crit: ['exp'] })}.${part({ sub: 'demo', roles: [], iss: issuer.issuer, aud: 'model-service', iat: now, exp: now + 60, jti: 'c' })}`;
    const token = `${input}.${derToP1363(sign('sha256', Buffer.from(input), issuer.privateKey)).toString('base64url')}`;
    await assert.rejects(verifier.verify(token), /critical/);
  });

  it('gives a remembered assertion only while the key set still holds the key that verified it', async () => {
    await withRotatingKeys({ cacheMaxAgeMs: 0, cooldownMs: 0 }, async (keys, v) => {
      // Every verification finds the key set stale: each refetch makes new key objects.
      const old = keys.current;
      const token = await old.sign({ sub: 'demo', roles: [] }, ['a']);
      assert.equal((await v.verify(token)).sub, 'demo');
      assert.equal(
        (await v.verify(token)).sub,
        'demo',
        'the same key, refetched: verified again, and passes',
      );

      // Rotation: the new key is published next to the old one; assertions of both pass.
      const next = keys.rotate({ keepOld: true });
      assert.equal((await v.verify(await next.sign({ sub: 'new', roles: [] }, ['a']))).sub, 'new');
      assert.equal((await v.verify(token)).sub, 'demo');

      // The old key retired: its assertion, remembered or not, is refused at once.
      keys.rotate({ keepOld: false });
      await assert.rejects(v.verify(token), /no key of the issuer matches/);
      await assert.rejects(
        v.verify(await old.sign({ sub: 'demo', roles: [] }, ['a'])),
        /no key of the issuer matches/,
      );
    });
  });

  it('verifies a remembered assertion afresh once another assertion made the key set be fetched again', async () => {
    await withRotatingKeys({ cooldownMs: 0 }, async (keys, v) => {
      const token = await keys.current.sign({ sub: 'demo', roles: [] }, ['a']);
      for (let i = 0; i < 3; i += 1) assert.equal((await v.verify(token)).sub, 'demo');
      assert.equal(keys.fetches(), 1);
      // The old key retired, noticed when an assertion of the new key arrives (its kid is unknown: a refetch).
      const next = keys.rotate({ keepOld: false });
      assert.equal((await v.verify(await next.sign({ sub: 'new', roles: [] }, ['a']))).sub, 'new');
      assert.equal(keys.fetches(), 2);
      await assert.rejects(v.verify(token), /no key of the issuer matches/);
    });
  });

  it('keeps honouring a rotated-in key once its key set is cached', async () => {
    await withRotatingKeys({ cooldownMs: 0 }, async (keys, v) => {
      assert.equal((await v.verify(await keys.current.sign({ sub: 'a', roles: [] }, ['a']))).sub, 'a');
      // An unknown kid makes the verifier refetch (after the cooldown), so the new key works at once.
      const next = keys.rotate({ keepOld: false });
      const token = await next.sign({ sub: 'b', roles: [] }, ['a']);
      for (let i = 0; i < 3; i += 1) assert.equal((await v.verify(token)).sub, 'b');
      assert.equal(keys.fetches(), 2);
    });
  });
});

/** Runs `body` with a rotating key set and a verifier of it for audience `a`, and closes the key set's server. */
async function withRotatingKeys(
  jwks: AssertionVerifierOptions['jwks'],
  body: (keys: RotatingKeySet, verifier: AssertionVerifier) => Promise<void>,
): Promise<void> {
  const keys = await startRotatingKeySet();
  try {
    await body(
      keys,
      new AssertionVerifier({ jwksUrl: keys.jwksUrl, issuer: 'forward-auth-test', audiences: ['a'], jwks }),
    );
  } finally {
    await keys.close();
  }
}

type RotatingKeySet = Awaited<ReturnType<typeof startRotatingKeySet>>;

/** A key-set server whose key can be rotated: a new signer, published with or without the old key. */
async function startRotatingKeySet() {
  const newSigner = () =>
    new AssertionSigner({
      issuer: 'forward-auth-test',
      ttlSeconds: 60,
      privateKey: generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey,
    });
  let current = newSigner();
  let published = [current];
  let fetches = 0;
  const server = createServer((_req, res) => {
    fetches += 1;
    res
      .writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify({ keys: published.flatMap((signer) => signer.jwks().keys) }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    jwksUrl: new URL(`http://127.0.0.1:${port}/.well-known/jwks.json`),
    get current() {
      return current;
    },
    fetches: () => fetches,
    rotate(options: { keepOld: boolean }) {
      const next = newSigner();
      published = options.keepOld ? [...published, next] : [next];
      current = next;
      return next;
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
