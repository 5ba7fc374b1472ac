/**
 * A stand-in for an external token issuer in the `jwt` middleware's tests (as an Azure AD tenant is external
 * to API Management): OpenID discovery and a JWKS on 127.0.0.1, RSA keys made by jose, tokens signed on
 * demand. Keys can be added unpublished, published later (rotation), and the issuer taken down.
 * Not a test file itself, so `node --test` skips it.
 */

import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  type CryptoKey,
  exportJWK,
  exportSPKI,
  generateKeyPair,
  type JWK,
  type JWTPayload,
  SignJWT,
} from 'jose';

/** A signing key of the test issuer. */
export interface TestKey {
  readonly kid: string;
  readonly privateKey: CryptoKey;
  readonly publicKey: CryptoKey;
  readonly publicJwk: JWK;
  /** The public key as PEM, for the "HS256 signed with the public key" attack. */
  readonly spki: string;
}

/** A running test issuer. */
export interface TestIssuer {
  /** `http://127.0.0.1:<port>`; also the `iss` of its tokens. */
  readonly url: string;
  readonly discoveryUrl: string;
  readonly jwksUrl: string;
  /** Request targets, in order (`/.well-known/openid-configuration`, `/jwks`). */
  readonly requests: string[];
  /** Creates an RSA key; published at once unless `publish: false`. */
  addKey(kid: string, options?: { publish?: boolean }): Promise<TestKey>;
  /** Publishes a key created earlier. */
  publish(kid: string): void;
  /** Removes a key from the JWKS. */
  unpublish(kid: string): void;
  /** While down, every connection is cut before an answer, as when the issuer is unreachable. */
  setDown(down: boolean): void;
  /** Signs a token with a key (default: the first one): RS256, `typ: at+jwt`, `iss`, `iat`, `exp` in 5 min. */
  sign(claims: JWTPayload, options?: { kid?: string; header?: Record<string, unknown> }): Promise<string>;
  close(): Promise<void>;
}

/** Starts a test issuer on 127.0.0.1:0. */
export async function startIssuer(): Promise<TestIssuer> {
  const keys = new Map<string, TestKey>();
  const published = new Set<string>();
  const requests: string[] = [];
  let down = false;
  let url = '';

  const server = createServer((req, res) => {
    requests.push(req.url ?? '');
    if (down) {
      req.socket.destroy();
      return;
    }
    const json = (body: unknown) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    // The query is ignored, so tests can give one issuer several key-set URLs (one cache each).
    const path = (req.url ?? '').split('?')[0];
    if (path === '/.well-known/openid-configuration') {
      json({ issuer: url, jwks_uri: `${url}/jwks`, token_endpoint: `${url}/token` });
    } else if (path === '/jwks') {
      json({ keys: [...published].map((kid) => keys.get(kid)?.publicJwk) });
    } else {
      res.writeHead(404);
      res.end();
    }
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url,
    discoveryUrl: `${url}/.well-known/openid-configuration`,
    jwksUrl: `${url}/jwks`,
    requests,
    async addKey(kid, options = {}) {
      const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
      const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' };
      const key = { kid, privateKey, publicKey, publicJwk, spki: await exportSPKI(publicKey) };
      keys.set(kid, key);
      if (options.publish !== false) published.add(kid);
      return key;
    },
    publish: (kid) => void published.add(kid),
    unpublish: (kid) => void published.delete(kid),
    setDown: (value) => {
      down = value;
    },
    async sign(claims, options = {}) {
      const key = options.kid === undefined ? [...keys.values()][0] : keys.get(options.kid);
      if (key === undefined) throw new Error(`no key ${options.kid ?? '(none yet)'}`);
      const now = Math.floor(Date.now() / 1000);
      return new SignJWT({ iss: url, iat: now, exp: now + 300, ...claims })
        .setProtectedHeader({ alg: 'RS256', typ: 'at+jwt', kid: key.kid, ...options.header })
        .sign(key.privateKey);
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
