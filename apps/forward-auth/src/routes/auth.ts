import { ASSERTION_HEADER, type AssertionSigner } from '@gateway-pattern/identity-assertion';
import { errorResponse, type Service } from '@gateway-pattern/service-kit';
import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { BadAudienceError, InvalidTokenError, NotAuthenticatedError } from '../errors.ts';
import {
  IDENTITY_HEADERS,
  type Identity,
  identityFromClaims,
  identityHeaders,
  vouchedIdentity,
} from '../identity-headers.ts';
import type { ReturnUrls } from '../login/return-url.ts';
import { currentUser } from '../login/session.ts';
import { bearerToken } from '../tokens/bearer.ts';
import { type TokenVerifier, verifyWithAny } from '../tokens/verifier.ts';

/** Response header carrying the authenticated principal; the gateway lists it in `authResponseHeaders`. */
export const AUTH_USER_HEADER = IDENTITY_HEADERS.user;

/** Browser login, when a provider is configured. */
export interface AuthLoginOptions {
  returnUrls: ReturnUrls;
  /** Absolute URL of `/oauth2/start` at the public origin. */
  startUrl: string;
}

/** Options of {@link authRoutes}. */
export interface AuthRoutesOptions {
  /** Tried in order; the first to accept the token wins. */
  verifiers: readonly TokenVerifier[];
  /** With it, a session cookie is accepted and browsers without credentials are sent to the login. */
  login?: AuthLoginOptions | null;
  /** Signs the identity assertion of a request whose `/auth` address names audiences (`?aud=`). */
  signer: AssertionSigner;
}

/** Printable ASCII without spaces, as an audience must be to be compared byte for byte by a backend. */
const AUDIENCE = /^[\x21-\x7E]{1,256}$/;
const MAX_AUDIENCES = 8;

/**
 * The audiences of the identity assertion: the `aud` query parameters of the forwardAuth address, one per backend
 * the request may reach (`/auth?aud=pybackend-ts&aud=model-service`). The gateway sends the address as configured,
 * and a client's own query travels in `X-Forwarded-Uri`, so only the gateway's configuration chooses them.
 */
export function audiencesOf(query: unknown): string[] {
  const raw = (query as Record<string, unknown> | null)?.aud;
  const values = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
  if (values.length > MAX_AUDIENCES || !values.every((v) => typeof v === 'string' && AUDIENCE.test(v))) {
    throw new BadAudienceError();
  }
  return [...new Set(values as string[])];
}

const header = (description: string) => ({ description, schema: { type: 'string' } });

/**
 * The schema of `/auth`, for the document: the route reads its inputs itself (the bearer header, a session cookie,
 * the `aud` list with {@link audiencesOf}), so these describe them and validate nothing.
 */
const AuthSchema = {
  summary: "May this request pass? The forwardAuth target (any method: the gateway sends the client's)",
  querystring: Type.Object({
    aud: Type.Optional(
      Type.Union([Type.String(), Type.Array(Type.String())], {
        description:
          "The backends the signed identity is for, set in the gateway's forwardAuth address (`?aud=pybackend-ts&aud=model-service`).",
      }),
    ),
  }),
  headers: Type.Object({
    authorization: Type.Optional(
      Type.String({
        description: '`Bearer <token>`: a static token, or a JWT from a trusted issuer in JWT mode.',
      }),
    ),
    'x-forwarded-method': Type.Optional(
      Type.String({ description: "The client's method, set by the gateway." }),
    ),
    'x-forwarded-uri': Type.Optional(
      Type.String({ description: 'The path and query the client asked for.' }),
    ),
    'x-forwarded-host': Type.Optional(Type.String({ description: 'The host the client called.' })),
    'x-forwarded-proto': Type.Optional(Type.String({ description: '`http` or `https`.' })),
    accept: Type.Optional(
      Type.String({ description: 'A browser (`text/html`) without a session is sent to the login.' }),
    ),
  }),
  response: {
    200: Type.Object(
      { status: Type.Literal('ok') },
      {
        description: 'Let it through; the gateway copies these headers onto the request.',
        headers: {
          'X-Auth-User': header("The user (`sub`) or the static token's principal."),
          'X-Auth-Email': header("The signed-in user's email, when known."),
          'X-Auth-Roles': header('Comma-separated roles, when there are any.'),
          'X-Auth-Client': header('The OAuth client of a JWT (`azp`).'),
          'X-Auth-Assertion': header(
            'The same identity signed (ES256, 60 s) for the `aud` backends, when asked.',
          ),
        },
      },
    ),
    302: Type.Null({
      description: 'A browser without a session: sent to `/oauth2/start` with the page it wanted as `rd`.',
      headers: { Location: header("The login start, at the gateway's public origin.") },
    }),
    401: errorResponse('A token no verifier accepts (`Invalid Token`), with a `WWW-Authenticate` challenge.'),
    403: errorResponse('No credentials (`Not authenticated`), or a valid JWT without a required role.'),
    500: errorResponse('The forwardAuth address names an unusable `aud`.'),
    503: errorResponse("A JWT issuer's keys cannot be fetched."),
  },
};

/**
 * Seconds an allow may be reused by a cache keyed on the caller's credentials. Short: a revoked token or a
 * signed-out session is honoured that much later, and the signed assertion inside (60 s) keeps half its life.
 */
const DECISION_MAX_AGE = 5;

/**
 * A browser asking for a page: the original method (Traefik sends it as `X-Forwarded-Method`) is GET or HEAD and the
 * client accepts HTML. API clients (HTTPie, curl, fetch) do not list `text/html` and keep their 403.
 */
function wantsLoginPage(request: FastifyRequest): boolean {
  const forwarded = request.headers['x-forwarded-method'];
  const method = (typeof forwarded === 'string' ? forwarded : request.method).toUpperCase();
  if (method !== 'GET' && method !== 'HEAD') return false;
  const accept = request.headers.accept ?? '';
  return accept.split(',').some((range) => range.split(';')[0]?.trim().toLowerCase() === 'text/html');
}

/**
 * `/auth`, the forwardAuth target. A bearer token is checked by the verifiers (200 with the identity headers, 401,
 * or what a verifier answers: 403 for a missing role, 503 for an unreachable issuer). Without one, a session cookie
 * passes; a browser without either is redirected to the login (302, with the page it wanted as return address,
 * which the gateway hands to the browser), anything else gets 403. Any method is answered the same way, since
 * `preserveRequestMethod` forwards the client's method. A 200 for an address with `?aud=` also carries the signed
 * identity assertion (`X-Auth-Assertion`) for those audiences.
 */
export async function authRoutes(app: Service, options: AuthRoutesOptions): Promise<void> {
  const login = options.login ?? null;
  // A decision about one caller must never be served to another from a cache: no-store, except an allow, which
  // says below how a cache keyed on the caller's credentials may keep it.
  app.addHook('onRequest', async (_request, reply) => {
    reply.header('cache-control', 'no-store');
  });
  // The request body (sent with Traefik's `forwardBody`) plays no part in the decision; do not let its
  // content type turn into a 415 or its syntax into a 400.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, _body, done) => done(null, undefined));

  app.all('/auth', { schema: AuthSchema, validatorCompiler: () => () => true }, async (request, reply) => {
    // Checked first, so a misconfigured address shows on every request, not only on authenticated ones.
    const audiences = audiencesOf(request.query);
    let identity: Identity;
    // How long the allow may be reused (seconds), at most: a JWT's own expiry ends it sooner.
    let reusable = DECISION_MAX_AGE;
    const token = bearerToken(request.headers.authorization);
    if (token !== null) {
      const accepted = await verifyWithAny(options.verifiers, token, request);
      if (accepted === null) throw new InvalidTokenError();
      request.log.debug({ principal: accepted.principal, verifier: accepted.verifier }, 'token accepted');
      identity =
        accepted.claims === undefined
          ? { user: accepted.principal }
          : identityFromClaims(accepted.principal, accepted.claims);
      const exp = accepted.claims?.exp;
      if (typeof exp === 'number') reusable = Math.min(reusable, Math.floor(exp - Date.now() / 1000));
    } else {
      const user = login === null ? null : currentUser(request);
      if (user === null) {
        if (login === null || !wantsLoginPage(request)) throw new NotAuthenticatedError();
        const returnTo = login.returnUrls.forwarded(request.headers);
        const location = new URL(login.startUrl);
        if (returnTo !== null) location.searchParams.set('rd', returnTo);
        return reply.redirect(location.href, 302);
      }
      identity = {
        user: user.sub,
        roles: user.roles,
        ...(user.email === undefined ? {} : { email: user.email }),
      };
    }
    reply.headers(identityHeaders(identity));
    // An allow may be reused for a few seconds by a cache that keys it on the caller's own credentials (Vary): the
    // gateway's forwardAuth decision cache, which then spares this service a request (and a signature) per
    // request. Shared caches only (s-maxage); denials and login redirects stay no-store.
    if (reusable >= 1) {
      reply
        .header('cache-control', `max-age=0, s-maxage=${reusable}`)
        .header('vary', 'Authorization, Cookie');
    }
    if (audiences.length > 0) {
      reply.header(ASSERTION_HEADER, await options.signer.sign(vouchedIdentity(identity), audiences));
    }
    return { status: 'ok' as const };
  });
}
