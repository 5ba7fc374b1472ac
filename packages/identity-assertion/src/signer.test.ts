import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { describe, it } from 'node:test';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { AssertionKeyError, AssertionSigner, signingKeyFromPem } from './signer.ts';

describe('AssertionSigner', () => {
  it('signs ES256 assertions with the registered claims, email and client only when present', async () => {
    const signer = new AssertionSigner({ issuer: 'forward-auth', ttlSeconds: 60 });
    const now = Date.UTC(2030, 0, 1);
    const token = await signer.sign({ sub: 'demo', roles: [] }, ['pybackend-ts'], now);
    assert.deepEqual(decodeProtectedHeader(token), { alg: 'ES256', kid: signer.kid, typ: 'JWT' });
    const claims = decodeJwt(token);
    assert.deepEqual(Object.keys(claims).sort(), ['aud', 'exp', 'iat', 'iss', 'jti', 'roles', 'sub']);
    assert.equal(claims.aud, 'pybackend-ts');
    assert.equal(claims.iat, now / 1000);
    assert.equal(claims.exp, now / 1000 + 60);
    const machine = decodeJwt(
      await signer.sign({ sub: 'cli', roles: ['invokeRole'], client: 'cli', email: 'a@b' }, ['a', 'b']),
    );
    assert.deepEqual(machine.aud, ['a', 'b']);
    assert.equal(machine.client, 'cli');
    assert.equal(machine.email, 'a@b');
    assert.notEqual(machine.jti, claims.jti);
  });

  it('publishes only the public key, with kid, alg and use', () => {
    const signer = new AssertionSigner({ issuer: 'forward-auth', ttlSeconds: 60 });
    const [key, ...rest] = signer.jwks().keys;
    assert.deepEqual(rest, []);
    assert.deepEqual(Object.keys(key ?? {}).sort(), ['alg', 'crv', 'kid', 'kty', 'use', 'x', 'y']);
    assert.equal(key?.kid, signer.kid);
    assert.equal(key?.alg, 'ES256');
    assert.equal(signer.generatedKey, true);
  });

  it('derives the kid from the key, so a loaded key keeps its kid across restarts', () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const pem = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    const a = new AssertionSigner({ issuer: 'x', ttlSeconds: 60, privateKey: signingKeyFromPem(pem) });
    const b = new AssertionSigner({ issuer: 'x', ttlSeconds: 60, privateKey: signingKeyFromPem(pem) });
    assert.equal(a.kid, b.kid);
    assert.equal(a.generatedKey, false);
    assert.notEqual(a.kid, new AssertionSigner({ issuer: 'x', ttlSeconds: 60 }).kid);
  });

  it('refuses bad options and keys at construction', () => {
    assert.throws(() => new AssertionSigner({ issuer: '', ttlSeconds: 60 }), /issuer/);
    assert.throws(() => new AssertionSigner({ issuer: 'x', ttlSeconds: 0 }), /ttlSeconds/);
    assert.throws(() => new AssertionSigner({ issuer: 'x', ttlSeconds: 1.5 }), /ttlSeconds/);
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({
      format: 'pem',
      type: 'pkcs8',
    });
    assert.throws(() => signingKeyFromPem(rsa.toString()), AssertionKeyError);
    const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey.export({
      format: 'pem',
      type: 'pkcs8',
    });
    assert.throws(() => signingKeyFromPem(p384.toString()), /P-256/);
    assert.throws(
      () => signingKeyFromPem('-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n'),
      /not a PEM/,
    );
  });

  it('needs at least one audience', () => {
    const signer = new AssertionSigner({ issuer: 'x', ttlSeconds: 60 });
    assert.throws(() => signer.sign({ sub: 'demo', roles: [] }, []), /audience/);
  });
});
