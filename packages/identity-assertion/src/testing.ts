/**
 * Test helpers: a real loopback server publishing a signer's key set, standing in for forward-auth's
 * `/.well-known/jwks.json`, and the assertions every verifying backend must refuse.
 */
import { createHmac, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AssertedIdentity } from './contract.ts';
import { AssertionSigner } from './signer.ts';

/** A key-set server and the signer whose key it publishes. */
export interface TestAssertionIssuer {
  issuer: string;
  jwksUrl: URL;
  signer: AssertionSigner;
  /** The signer's private key, to sign with it under another issuer name. */
  privateKey: KeyObject;
  /** How many times the key set was fetched. */
  fetches: () => number;
  close: () => Promise<void>;
}

/** Starts a key-set server on an ephemeral loopback port; assertions live `ttlSeconds` (default 60). */
export async function startTestAssertionIssuer(
  options: { issuer?: string; ttlSeconds?: number } = {},
): Promise<TestAssertionIssuer> {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const issuer = options.issuer ?? 'forward-auth-test';
  const signer = new AssertionSigner({ issuer, ttlSeconds: options.ttlSeconds ?? 60, privateKey });
  let fetches = 0;
  const server: Server = createServer((req, res) => {
    if (req.url !== '/.well-known/jwks.json') return void res.writeHead(404).end();
    fetches += 1;
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(signer.jwks()));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    issuer,
    jwksUrl: new URL(`http://127.0.0.1:${port}/.well-known/jwks.json`),
    signer,
    privateKey,
    fetches: () => fetches,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** A token refused for a known reason, and the reason the 401 detail must name. */
export interface RefusedAssertion {
  name: string;
  token: string;
  reason: RegExp;
}

/**
 * Assertions a backend whose audience is `audience` must refuse: expired, for another backend, from another
 * issuer, signed by a foreign key under the real `kid`, unsigned (`alg: none`), HMAC-signed, and not a JWT.
 */
export async function refusedAssertions(
  issuer: TestAssertionIssuer,
  audience: string,
  identity: AssertedIdentity = { sub: 'demo', roles: [] },
): Promise<RefusedAssertion[]> {
  const { signer } = issuer;
  const impostor = new AssertionSigner({ issuer: 'impostor', ttlSeconds: 60, privateKey: issuer.privateKey });
  const foreign = new AssertionSigner({
    issuer: issuer.issuer,
    ttlSeconds: 60,
    privateKey: generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey,
  });
  // The foreign key's token, relabelled with the real key's id: only the signature can tell.
  const [, foreignBody, foreignSignature] = (await foreign.sign(identity, [audience])).split('.');
  const relabelled = `${part({ alg: 'ES256', kid: signer.kid, typ: 'JWT' })}.${foreignBody}.${foreignSignature}`;
  const now = Math.floor(Date.now() / 1000);
  const claims = { ...identity, iss: issuer.issuer, aud: audience, iat: now, exp: now + 60, jti: 'x' };
  const unsigned = `${part({ alg: 'none' })}.${part(claims)}.`;
  const hmacInput = `${part({ alg: 'HS256', kid: signer.kid })}.${part(claims)}`;
  const hmac = `${hmacInput}.${createHmac('sha256', JSON.stringify(signer.jwks().keys[0])).update(hmacInput).digest('base64url')}`;
  return [
    {
      name: 'expired',
      token: await signer.sign(identity, [audience], Date.now() - 600_000),
      reason: /expired/,
    },
    { name: 'for another backend', token: await signer.sign(identity, ['elsewhere']), reason: /audience/ },
    { name: 'from another issuer', token: await impostor.sign(identity, [audience]), reason: /issuer/ },
    { name: 'signed by a foreign key', token: relabelled, reason: /signature/ },
    { name: 'unsigned (alg none)', token: unsigned, reason: /algorithm/ },
    { name: 'HMAC-signed with the public key', token: hmac, reason: /algorithm/ },
    { name: 'not a JWT', token: 'not-a-jwt', reason: /malformed/ },
  ];
}
