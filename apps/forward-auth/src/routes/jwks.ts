import type { AssertionSigner } from '@gateway-pattern/identity-assertion';
import type { Service } from '@gateway-pattern/service-kit';
import { Type } from 'typebox';

/** Where backends fetch the key that signs identity assertions. */
export const JWKS_PATH = '/.well-known/jwks.json';

/** A JWK Set (RFC 7517); each key keeps every member it has. */
const JwkSet = Type.Object({
  keys: Type.Array(
    Type.Object(
      {
        kty: Type.Optional(Type.String()),
        kid: Type.Optional(Type.String()),
        alg: Type.Optional(Type.String()),
      },
      { additionalProperties: true },
    ),
  ),
});

/**
 * `GET /.well-known/jwks.json`: the public key of the identity assertions. Backends cache it (and refetch for an
 * unknown `kid`), so the HTTP cache lifetime is short and only a hint.
 */
export async function jwksRoutes(app: Service, options: { signer: AssertionSigner }): Promise<void> {
  const body = options.signer.jwks();
  app.get(
    JWKS_PATH,
    {
      schema: {
        summary: 'The public key the backends check X-Auth-Assertion with (a JWK Set)',
        response: { 200: JwkSet },
      },
    },
    async (_request, reply) => reply.header('cache-control', 'public, max-age=300').send(body),
  );
}
