import { randomBytes } from 'node:crypto';
import { AssertionSigner } from '@gateway-pattern/identity-assertion';
import { createService, registerOpenApi, type Service } from '@gateway-pattern/service-kit';
import packageJson from '../package.json' with { type: 'json' };
import { type AssertionConfig, DEFAULT_PUBLIC_URL, type LoginConfig, SERVICE_NAME } from './config.ts';
import type { JwtIssuer } from './jwt/issuers.ts';
import type { JwksOptions } from './jwt/jwks.ts';
import { JwtVerifier } from './jwt/verifier.ts';
import { OidcClient, type OidcOptions } from './login/oidc.ts';
import { ReturnUrls } from './login/return-url.ts';
import { registerSessions } from './login/session.ts';
import { type AuthLoginOptions, authRoutes } from './routes/auth.ts';
import { JWKS_PATH, jwksRoutes } from './routes/jwks.ts';
import { oauth2DisabledRoutes, oauth2Routes, signedOutRoute } from './routes/oauth2.ts';
import { rootRoutes, TITLE } from './routes/root.ts';
import type { StaticToken } from './tokens/static-tokens.ts';
import { StaticTokenVerifier } from './tokens/static-tokens.ts';
import type { TokenVerifier } from './tokens/verifier.ts';

/** What {@link buildApp} needs; `main.ts` fills it from the environment, tests directly. */
export interface AppConfig {
  /** Pino level, or `false` to silence logs (tests). */
  logLevel: string | false;
  /** Static bearer tokens to accept; empty accepts none. */
  staticTokens: readonly StaticToken[];
  /** Trusted JWT issuers; none turns JWT mode off. */
  jwtIssuers?: readonly JwtIssuer[];
  /** Key fetching and caching (tests shorten them). */
  jwks?: JwksOptions;
  /** The gateway's public origin. Default `http://localhost:8000`. */
  publicUrl?: string;
  /** Further origins a browser may be returned to after login. */
  returnOrigins?: readonly string[];
  /** Browser login; `null` or absent turns it off. */
  login?: LoginConfig | null;
  /** Provider request timeout and discovery retry (tests shorten them). */
  oidc?: Pick<OidcOptions, 'timeoutSeconds' | 'retryAfterMs'>;
  /** Identity assertions; default issuer `forward-auth`, 60 s, a key made at start. */
  assertion?: Partial<AssertionConfig>;
}

/** The signer of identity assertions, logged with where its key comes from. */
function assertionSigner(app: Service, config: Partial<AssertionConfig> = {}): AssertionSigner {
  const signer = new AssertionSigner({
    issuer: config.issuer ?? 'forward-auth',
    ttlSeconds: config.ttlSeconds ?? 60,
    ...(config.privateKey ? { privateKey: config.privateKey } : {}),
  });
  app.log.info(
    { issuer: signer.issuer, ttlSeconds: signer.ttlSeconds, kid: signer.kid, jwks: JWKS_PATH },
    signer.generatedKey
      ? 'identity assertions signed with a key made at start (replicas need one shared IDENTITY_ASSERTION_KEY_FILE)'
      : 'identity assertions signed with the key of IDENTITY_ASSERTION_KEY_FILE',
  );
  return signer;
}

/** The verifiers the configuration enables, in the order `/auth` tries them: JWTs first, as they say what they are. */
export function buildVerifiers(config: AppConfig): TokenVerifier[] {
  const verifiers: TokenVerifier[] = [];
  if ((config.jwtIssuers ?? []).length > 0)
    verifiers.push(new JwtVerifier(config.jwtIssuers ?? [], config.jwks));
  if (config.staticTokens.length > 0) verifiers.push(new StaticTokenVerifier(config.staticTokens));
  return verifiers;
}

function logEnabledModes(app: Service, config: AppConfig, verifiers: readonly TokenVerifier[]): void {
  if (config.staticTokens.length > 0) {
    app.log.warn(
      { principals: config.staticTokens.map((t) => t.principal) },
      `static bearer tokens enabled (${config.staticTokens.length}): shared demo credentials, ` +
        'leave STATIC_TOKENS unset in production',
    );
  } else {
    app.log.info('no static tokens configured (STATIC_TOKENS is empty): static-token auth is off');
  }
  const issuers = config.jwtIssuers ?? [];
  if (issuers.length > 0) {
    app.log.info(
      { issuers: issuers.map(({ issuer, audiences, jwksUrl }) => ({ issuer, audiences, jwksUrl })) },
      `JWT mode on for ${issuers.length} issuer(s)`,
    );
  }
  if (verifiers.length === 0) {
    app.log.info('no token verifier is enabled: every bearer token will be answered 401');
  }
}

/** Builds the forward-auth service without listening. */
export function buildApp(config: AppConfig): Service {
  const app = createService({ name: SERVICE_NAME, logLevel: config.logLevel });
  const verifiers = buildVerifiers(config);
  logEnabledModes(app, config, verifiers);
  const signer = assertionSigner(app, config.assertion);
  registerOpenApi(app, {
    title: TITLE,
    version: packageJson.version,
    description:
      "The service the gateway's forwardAuth middleware asks about every request to `/pybackend` and `/rbackend` " +
      '(`/auth`), and the browser login the gateway routes at `/oauth2/`. The gateway calls `/auth` with the ' +
      "client's headers and `X-Forwarded-Method`, `-Proto`, `-Host`, `-Uri` and `-For`; on a 2xx it copies the " +
      'identity headers of the answer onto the request, and any other answer goes back to the client as it is.',
  });
  app.register(rootRoutes);
  app.register(jwksRoutes, { signer });

  const login = config.login ?? null;
  const publicUrl = config.publicUrl ?? DEFAULT_PUBLIC_URL;
  let authLogin: AuthLoginOptions | null = null;
  if (login === null) {
    app.log.info('browser login is off (OIDC_ISSUER is unset)');
    app.register(oauth2DisabledRoutes);
  } else {
    let keys = login.cookieKeys;
    if (keys === null || keys.length === 0) {
      keys = [randomBytes(32)];
      app.log.warn(
        'COOKIE_SECRET is unset: sessions are encrypted with a key made at start, so they end when this process ' +
          'does and other replicas cannot read them; set COOKIE_SECRET (openssl rand -base64 32)',
      );
    }
    registerSessions(app, {
      keys,
      secure: publicUrl.startsWith('https:'),
      maxAgeSeconds: login.sessionMaxAge,
    });
    const returnUrls = new ReturnUrls(publicUrl, config.returnOrigins ?? []);
    const oidc = new OidcClient(
      {
        issuer: login.issuer,
        internalUrl: login.internalUrl,
        clientId: login.clientId,
        clientSecret: login.clientSecret,
        ...config.oidc,
      },
      app.log,
    );
    app.log.info({ issuer: login.issuer, clientId: login.clientId, publicUrl }, 'browser login on');
    app.register(signedOutRoute);
    app.register(oauth2Routes, {
      oidc,
      returnUrls,
      callbackUrl: `${publicUrl}/oauth2/callback`,
      scope: login.scope,
      sessionMaxAgeSeconds: login.sessionMaxAge,
      postLogoutRedirectUrl: login.postLogoutRedirectUrl,
    });
    app.addHook('onReady', async () => oidc.warmUp());
    authLogin = { returnUrls, startUrl: `${publicUrl}/oauth2/start` };
  }

  app.register(async (scope: Service) => {
    for (const verifier of verifiers) if (verifier instanceof JwtVerifier) verifier.register(scope);
    await authRoutes(scope, { verifiers, login: authLogin, signer });
  });
  return app;
}
