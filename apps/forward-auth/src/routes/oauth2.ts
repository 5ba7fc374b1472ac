import { errorResponse, type Service } from '@gateway-pattern/service-kit';
import * as client from 'openid-client';
import { Type } from 'typebox';
import { SIGNED_OUT_PATH } from '../config.ts';
import { LoginDisabledError, LoginFailedError, LoginUnavailableError } from '../errors.ts';
import { isHeaderSafe, rolesOf } from '../identity-headers.ts';
import type { OidcClient } from '../login/oidc.ts';
import type { ReturnUrls } from '../login/return-url.ts';
import {
  addPendingLogin,
  currentUser,
  endSession,
  startSession,
  takePendingLogin,
} from '../login/session.ts';

/** Options of {@link oauth2Routes}. */
export interface Oauth2RoutesOptions {
  oidc: OidcClient;
  returnUrls: ReturnUrls;
  /** The public callback URL (`<PUBLIC_URL>/oauth2/callback`), registered at the provider. */
  callbackUrl: string;
  /** Scopes asked for, space-separated. */
  scope: string;
  sessionMaxAgeSeconds: number;
  /** Where the provider's logout sends the browser back to; registered at the provider. */
  postLogoutRedirectUrl: string;
}

const ReturnQuery = Type.Object({
  rd: Type.Optional(
    Type.String({
      maxLength: 4096,
      description:
        "Where to go afterwards; only the gateway's own origin (or ALLOWED_RETURN_ORIGINS) is honoured.",
    }),
  ),
});
// The provider adds `iss`, and `error`/`error_description` on refusal; anything else is ignored.
const CallbackQuery = Type.Object({
  state: Type.Optional(Type.String({ maxLength: 512, description: 'The state `/oauth2/start` sent.' })),
});

/** A redirect, as the document shows it: no body, a `Location`. */
const redirect = (description: string) =>
  Type.Null({ description, headers: { Location: { schema: { type: 'string' } } } });

async function providerConfiguration(oidc: OidcClient): Promise<client.Configuration> {
  try {
    return await oidc.configuration();
  } catch (err) {
    throw new LoginUnavailableError({ cause: err });
  }
}

/** A failed code exchange as the browser should see it: the provider refused, answered wrongly, or is unreachable. */
function callbackFailure(err: unknown): LoginFailedError | LoginUnavailableError {
  if (err instanceof client.AuthorizationResponseError) {
    return new LoginFailedError(403, `the identity provider answered ${err.error}`, { cause: err });
  }
  if (err instanceof client.ResponseBodyError) {
    return new LoginFailedError(400, `the identity provider refused the code (${err.error})`, { cause: err });
  }
  const code = (err as { code?: unknown }).code;
  if (
    err instanceof TypeError ||
    code === 'OAUTH_RESPONSE_IS_NOT_CONFORM' ||
    code === 'OAUTH_RESPONSE_IS_NOT_JSON'
  ) {
    return new LoginUnavailableError({ cause: err });
  }
  if (
    (err as { name?: unknown }).name === 'TimeoutError' ||
    (err as { name?: unknown }).name === 'AbortError'
  ) {
    return new LoginUnavailableError({ cause: err });
  }
  return new LoginFailedError(400, err instanceof Error ? err.message : 'the response did not validate', {
    cause: err,
  });
}

/**
 * The browser login, as oauth2-proxy names it: `/oauth2/start` sends the browser to the provider (authorization code
 * with PKCE, state and nonce), `/oauth2/callback` exchanges the code and sets the session cookie, `/oauth2/sign_out`
 * clears it. Every answer is a redirect or a JSON `detail`, and none may be cached.
 */
export async function oauth2Routes(app: Service, options: Oauth2RoutesOptions): Promise<void> {
  const { oidc, returnUrls } = options;
  app.addHook('onRequest', async (_request, reply) => {
    reply.header('cache-control', 'no-store');
  });

  app.get(
    '/oauth2/start',
    {
      schema: {
        summary: 'Start a browser login: to the provider, authorization code with PKCE, state and nonce',
        querystring: ReturnQuery,
        response: {
          302: redirect("The provider's authorization endpoint."),
          503: errorResponse('The provider cannot be reached.'),
        },
      },
    },
    async (request, reply) => {
      const configuration = await providerConfiguration(oidc);
      const codeVerifier = client.randomPKCECodeVerifier();
      const login = {
        state: client.randomState(),
        nonce: client.randomNonce(),
        codeVerifier,
        returnTo: returnUrls.resolve(request.query.rd),
      };
      addPendingLogin(request, login);
      const url = client.buildAuthorizationUrl(configuration, {
        redirect_uri: options.callbackUrl,
        scope: options.scope,
        code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
        code_challenge_method: 'S256',
        state: login.state,
        nonce: login.nonce,
      });
      return reply.redirect(url.href, 302);
    },
  );

  app.get(
    '/oauth2/callback',
    {
      schema: {
        summary:
          'Where the provider sends the browser back: the code is exchanged and the session cookie set',
        querystring: CallbackQuery,
        response: {
          302: redirect('The page the login started from.'),
          400: errorResponse('An unknown or expired state, or a code the provider refused.'),
          403: errorResponse('The provider refused the login.'),
          502: errorResponse('The provider returned no usable subject.'),
          503: errorResponse('The provider cannot be reached.'),
        },
      },
    },
    async (request, reply) => {
      const state = request.query.state;
      const login = state === undefined ? null : takePendingLogin(request, state);
      if (login === null) {
        throw new LoginFailedError(400, 'unknown or expired state; start again from the page you wanted');
      }
      const configuration = await providerConfiguration(oidc);
      // The code was issued for the public callback URL, so that is the URL the exchange names, not this request's.
      const currentUrl = new URL(options.callbackUrl);
      currentUrl.search = new URL(request.url, 'http://callback.invalid').search;
      let tokens: Awaited<ReturnType<typeof client.authorizationCodeGrant>>;
      try {
        tokens = await client.authorizationCodeGrant(configuration, currentUrl, {
          pkceCodeVerifier: login.codeVerifier,
          expectedState: login.state,
          expectedNonce: login.nonce,
          idTokenExpected: true,
        });
      } catch (err) {
        const failure = callbackFailure(err);
        request.log.warn({ err, status: failure.statusCode }, 'login callback refused');
        throw failure;
      }
      const claims = tokens.claims();
      if (claims === undefined || !isHeaderSafe(claims.sub)) {
        throw new LoginFailedError(502, 'the identity provider returned no usable subject');
      }
      startSession(
        request,
        {
          sub: claims.sub,
          roles: rolesOf(claims.roles),
          ...(typeof claims.email === 'string' ? { email: claims.email } : {}),
          ...(typeof claims.name === 'string' ? { name: claims.name } : {}),
          ...(tokens.id_token === undefined ? {} : { idToken: tokens.id_token }),
        },
        options.sessionMaxAgeSeconds,
      );
      request.log.info({ sub: claims.sub }, 'signed in');
      return reply.redirect(returnUrls.resolve(login.returnTo), 302);
    },
  );

  app.get(
    '/oauth2/sign_out',
    {
      schema: {
        summary: 'End the session here and at the provider',
        querystring: ReturnQuery,
        response: { 302: redirect("The provider's end-session endpoint, or the return address.") },
      },
    },
    async (request, reply) => {
      const user = currentUser(request);
      endSession(request);
      if (user !== null) request.log.info({ sub: user.sub }, 'signed out');
      const returnTo = returnUrls.resolve(request.query.rd);
      if (user?.idToken === undefined) return reply.redirect(returnTo, 302);
      // Also end the provider's session, or the next login would sign the same user in without asking.
      let configuration: client.Configuration;
      try {
        configuration = await oidc.configuration();
      } catch {
        return reply.redirect(returnTo, 302);
      }
      if (configuration.serverMetadata().end_session_endpoint === undefined)
        return reply.redirect(returnTo, 302);
      const url = client.buildEndSessionUrl(configuration, {
        id_token_hint: user.idToken,
        post_logout_redirect_uri: options.postLogoutRedirectUrl,
      });
      return reply.redirect(url.href, 302);
    },
  );
}

// Static on purpose: nothing from the request is reflected, so there is nothing to escape.
const SIGNED_OUT_PAGE = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Signed out</title>
<style>
  :root { color-scheme: light dark; font-family: system-ui, sans-serif; }
  main { max-width: 28rem; margin: 15vh auto; padding: 2rem; border-radius: 12px; background: color-mix(in srgb, CanvasText 6%, Canvas); }
  h1 { margin-top: 0; font-size: 1.4rem; }
</style></head>
<body><main><h1>You are signed out</h1>
<p>Your session at the gateway has ended. Open any protected page to sign in again.</p></main></body>
</html>
`;

/** `/oauth2/signed_out`: a page to land on after signing out, since the gateway routes nothing at `/`. */
export async function signedOutRoute(app: Service): Promise<void> {
  app.get(
    SIGNED_OUT_PATH,
    {
      schema: {
        summary: 'A page to land on after signing out',
        response: {
          200: {
            description: 'An HTML page.',
            content: { 'text/html': { schema: Type.String() } },
          },
        },
      },
    },
    async (_request, reply) =>
      reply.header('cache-control', 'no-store').type('text/html; charset=utf-8').send(SIGNED_OUT_PAGE),
  );
}

/** `/oauth2/*` when no provider is configured: a 404 that says why. */
export async function oauth2DisabledRoutes(app: Service): Promise<void> {
  app.all(
    '/oauth2/*',
    {
      schema: {
        summary: 'Browser login is off',
        response: { 404: errorResponse('Browser login is not configured.') },
      },
    },
    async () => {
      throw new LoginDisabledError();
    },
  );
}
