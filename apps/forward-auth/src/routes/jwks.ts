import type { AssertionSigner } from '@gateway-pattern/identity-assertion';
import type { Service } from '@gateway-pattern/service-kit';

/** Where backends fetch the key that signs identity assertions. */
export const JWKS_PATH = '/.well-known/jwks.json';

/**
 * `GET /.well-known/jwks.json`: the public key of the identity assertions. Backends cache it (and refetch for an
 * unknown `kid`), so the HTTP cache lifetime is short and only a hint.
 */
export async function jwksRoutes(app: Service, options: { signer: AssertionSigner }): Promise<void> {
  const body = options.signer.jwks();
  app.get(JWKS_PATH, async (_request, reply) =>
    reply.header('cache-control', 'public, max-age=300').send(body),
  );
}
