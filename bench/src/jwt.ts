/**
 * An RS256 key pair and a token signed with it, for the jwt middleware scenario: the gateway fetches the public
 * key from the `jwks` peer and validates each request's token itself; nginx sends the same token to an auth
 * server. Node's crypto only, so the bench needs no JOSE library.
 */
import { createSign, generateKeyPairSync, type KeyObject } from 'node:crypto';

/** What the scenario needs: the key set to publish and a valid token. */
export interface BenchJwt {
  readonly jwks: string;
  readonly token: string;
  readonly issuer: string;
  readonly audience: string;
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** A fresh key, its key set, and a token for `audience` valid for an hour. */
export function benchJwt(issuer = 'http://bench.invalid', audience = 'api://bench'): BenchJwt {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = {
    ...(publicKey.export({ format: 'jwk' }) as Record<string, unknown>),
    kid: 'bench',
    alg: 'RS256',
    use: 'sig',
  };
  const now = Math.floor(Date.now() / 1000);
  const token = sign(
    privateKey,
    { alg: 'RS256', typ: 'JWT', kid: 'bench' },
    {
      iss: issuer,
      aud: audience,
      sub: 'alice',
      iat: now,
      exp: now + 3600,
    },
  );
  return { jwks: JSON.stringify({ keys: [jwk] }), token, issuer, audience };
}

function sign(key: KeyObject, header: object, payload: object): string {
  const input = `${b64(header)}.${b64(payload)}`;
  const signature = createSign('RSA-SHA256').update(input).sign(key).toString('base64url');
  return `${input}.${signature}`;
}
