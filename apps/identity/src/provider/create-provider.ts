import type { FastifyBaseLogger } from 'fastify';
import Provider, { type ClientMetadata, type Configuration, type KoaContextWithOIDC } from 'oidc-provider';
import type { Client, Directory } from '../directory/load.ts';
import { SafeHtml } from '../interactions/html.ts';
import { errorPage, loggedOutPage, logoutPage } from '../interactions/views.ts';
import type { SigningKey } from '../keys/keystore.ts';
import { accountFinder } from '../users/accounts.ts';
import type { MemoryStore } from './memory-store.ts';
import { accessTokenClaims, resourceIndicators } from './resources.ts';

/** What {@link createProvider} builds a provider from. */
export interface ProviderOptions {
  /** The issuer identifier, byte for byte what every token's `iss` and every verifier's configuration says. */
  issuer: string;
  directory: Directory;
  /** Private signing keys; the first signs, all are published. */
  keys: readonly SigningKey[];
  /** Keys that sign the provider's cookies; the first signs, all verify. */
  cookieKeys: readonly string[];
  store: MemoryStore;
  /** Trust `X-Forwarded-Proto`/`-Host` from a TLS-terminating proxy in front. */
  trustProxy: boolean;
  log: FastifyBaseLogger;
}

/** Lifetimes, in seconds, of what is not bound to a resource server. */
const TTL = {
  authorizationCode: 60,
  idToken: 60 * 60,
  userinfoAccessToken: 60 * 60,
  interaction: 10 * 60,
  session: 12 * 60 * 60,
  refreshToken: 24 * 60 * 60,
} as const;

/** The OpenID scopes and the claims each releases; `roles` is this provider's addition. */
export const SCOPE_CLAIMS = {
  openid: ['sub'],
  profile: ['name', 'preferred_username'],
  email: ['email', 'email_verified'],
  roles: ['roles'],
} as const;

function clientMetadata(client: Client): ClientMetadata {
  const people = client.grantTypes.includes('authorization_code');
  return {
    client_id: client.id,
    client_secret: client.secret,
    client_name: client.name,
    grant_types: [...client.grantTypes],
    response_types: people ? ['code'] : [],
    redirect_uris: [...client.redirectUris],
    post_logout_redirect_uris: [...client.postLogoutRedirectUris],
    // Basic is registered; oidc-provider accepts client_secret_post from the same client too (curl -d, openid-client).
    token_endpoint_auth_method: 'client_secret_basic',
  };
}

function html(ctx: KoaContextWithOIDC, body: string): void {
  ctx.type = 'html';
  ctx.set('Cache-Control', 'no-store');
  ctx.set('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'");
  ctx.body = body;
}

/**
 * Builds the oidc-provider instance: statically registered clients from the directory, JWT access tokens per
 * resource, PKCE always, the login and consent pages served by this app (not oidc-provider's dev interactions).
 */
export function createProvider(options: ProviderOptions): Provider {
  const { directory, log } = options;
  const configuration: Configuration = {
    adapter: (model: string) => options.store.adapterFor(model),
    clients: [...directory.clients.values()].map(clientMetadata),
    jwks: { keys: options.keys.map((key) => ({ ...key })) },
    cookies: { keys: [...options.cookieKeys] },
    claims: Object.fromEntries(Object.entries(SCOPE_CLAIMS).map(([scope, claims]) => [scope, [...claims]])),
    scopes: ['openid', 'offline_access', ...Object.keys(SCOPE_CLAIMS).filter((s) => s !== 'openid')],
    // The ID token carries the granted profile claims, so a relying party needs no userinfo call.
    conformIdTokenClaims: false,
    responseTypes: ['code'],
    pkce: { required: () => true },
    // Shared secrets only: what the directory registers. (oidc-provider would also offer JWT assertions and none.)
    clientAuthMethods: ['client_secret_basic', 'client_secret_post'],
    clientBasedCORS: () => false,
    findAccount: accountFinder(directory),
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      resourceIndicators: resourceIndicators(directory),
      userinfo: { enabled: true },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: (ctx, form) => html(ctx, logoutPage(new SafeHtml(form), ctx.host)),
        postLogoutSuccessSource: (ctx) => html(ctx, loggedOutPage(ctx.oidc.client?.clientName)),
      },
    },
    formats: { customizers: { jwt: accessTokenClaims(directory) } },
    ttl: {
      AccessToken: (_ctx, token) => token.resourceServer?.accessTokenTTL ?? TTL.userinfoAccessToken,
      ClientCredentials: (_ctx, token) => token.resourceServer?.accessTokenTTL ?? TTL.userinfoAccessToken,
      AuthorizationCode: TTL.authorizationCode,
      IdToken: TTL.idToken,
      Interaction: TTL.interaction,
      Session: TTL.session,
      Grant: TTL.session,
      RefreshToken: TTL.refreshToken,
    },
    renderError: (ctx, out) =>
      html(
        ctx,
        errorPage(
          'Sign-in failed',
          'The application sent a request this identity provider cannot complete.',
          {
            error: out.error,
            description: out.error_description,
          },
        ),
      ),
  };

  const provider = new Provider(options.issuer, configuration);
  provider.proxy = options.trustProxy;

  // Paths oidc-provider does not serve answer like every other service of the stack: JSON with a `detail`.
  provider.use(async (ctx, next) => {
    await next();
    if (ctx.status === 404 && ctx.body == null) {
      ctx.body = { detail: 'Not Found' };
      // Koa turns an assigned body into a 200 unless the status is set after it.
      ctx.status = 404;
    }
  });

  provider.on('server_error', (_ctx, err) => log.error({ err }, 'oidc-provider error'));
  provider.on('grant.success', (ctx) =>
    log.debug({ client: ctx.oidc.client?.clientId, grantType: ctx.oidc.params?.grant_type }, 'token issued'),
  );
  provider.on('grant.error', (ctx, err) =>
    log.debug(
      { client: ctx.oidc.client?.clientId, error: err.error, reason: err.error_description },
      'token refused',
    ),
  );
  provider.on('authorization.error', (ctx, err) =>
    log.debug(
      { client: ctx.oidc.client?.clientId, error: err.error, reason: err.error_description },
      'authorization refused',
    ),
  );
  return provider;
}
