import type { Service } from '@gateway-pattern/service-kit';
import { Type } from 'typebox';
import { InvalidTokenError, NotAuthenticatedError } from '../errors.ts';
import { bearerToken } from '../tokens/bearer.ts';
import { type TokenVerifier, verifyWithAny } from '../tokens/verifier.ts';

/** Response header carrying the authenticated principal; the gateway lists it in `authResponseHeaders`. */
export const AUTH_USER_HEADER = 'x-auth-user';

/** Options of {@link authRoutes}. */
export interface AuthRoutesOptions {
  /** Tried in order; the first to accept the token wins. */
  verifiers: readonly TokenVerifier[];
}

const ErrorBody = Type.Object({ detail: Type.String() });

/**
 * `/auth`, the forwardAuth target: 200 with `X-Auth-User` for an accepted bearer token, 403 without one,
 * 401 for a token no verifier accepts. Any method is answered the same way, since `preserveRequestMethod`
 * forwards the client's method.
 */
export async function authRoutes(app: Service, options: AuthRoutesOptions): Promise<void> {
  // A decision about one caller must never be served to another from a cache.
  app.addHook('onRequest', async (_request, reply) => {
    reply.header('cache-control', 'no-store');
  });
  // The request body (sent with Traefik's `forwardBody`) plays no part in the decision; do not let its
  // content type turn into a 415 or its syntax into a 400.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, _body, done) => done(null, undefined));

  app.all(
    '/auth',
    {
      schema: {
        response: {
          200: Type.Object({ status: Type.Literal('ok') }),
          401: ErrorBody,
          403: ErrorBody,
        },
      },
    },
    async (request, reply) => {
      const token = bearerToken(request.headers.authorization);
      if (token === null) throw new NotAuthenticatedError();
      const accepted = await verifyWithAny(options.verifiers, token);
      if (accepted === null) throw new InvalidTokenError();
      request.log.debug({ principal: accepted.principal, verifier: accepted.verifier }, 'token accepted');
      reply.header(AUTH_USER_HEADER, accepted.principal);
      return { status: 'ok' as const };
    },
  );
}
