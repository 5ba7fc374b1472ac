import {
  type Configuration,
  errors,
  type JWTStructured,
  type KoaContextWithOIDC,
  type ResourceServer,
} from 'oidc-provider';
import type { Directory } from '../directory/load.ts';
import { SIGNING_ALG } from '../keys/keystore.ts';

type ResourceIndicators = NonNullable<NonNullable<Configuration['features']>['resourceIndicators']>;
type JwtCustomizer = NonNullable<NonNullable<NonNullable<Configuration['formats']>['customizers']>['jwt']>;

const DEFAULT_SCOPE_SUFFIX = '/.default';

/** The resources named by Azure-style `<resource>/.default` scopes of the request. */
export function resourcesFromDefaultScopes(scope: unknown): string[] {
  if (typeof scope !== 'string') return [];
  const resources = scope
    .split(' ')
    .filter((s) => s.endsWith(DEFAULT_SCOPE_SUFFIX) && s.length > DEFAULT_SCOPE_SUFFIX.length)
    .map((s) => s.slice(0, -DEFAULT_SCOPE_SUFFIX.length));
  return [...new Set(resources)];
}

function isClientCredentialsRequest(ctx: KoaContextWithOIDC): boolean {
  return ctx.oidc.route === 'token' && ctx.oidc.params?.grant_type === 'client_credentials';
}

/**
 * RFC 8707 policy: every resource of the directory is a JWT resource server whose `aud` is its id; a request without
 * `resource` names it Azure-style with `scope=<resource>/.default`; a client-credentials request that names no
 * resource is refused (`invalid_target`) instead of getting an opaque token nothing could check.
 */
export function resourceIndicators(directory: Directory): ResourceIndicators {
  return {
    enabled: true,
    defaultResource: async (ctx, _client, oneOf) => {
      if (oneOf) return oneOf;
      const named = resourcesFromDefaultScopes(ctx.oidc.params?.scope);
      if (named.length > 1) {
        throw new errors.InvalidTarget(
          'only one resource per request: ask for one <resource>/.default scope',
        );
      }
      if (named[0] !== undefined) return named[0];
      if (isClientCredentialsRequest(ctx)) {
        throw new errors.InvalidTarget(
          'resource indicator is missing: send resource=<resource id> or scope=<resource id>/.default',
        );
      }
      return undefined;
    },
    getResourceServerInfo: async (_ctx, indicator): Promise<ResourceServer> => {
      const resource = directory.resources.get(indicator);
      if (!resource) throw new errors.InvalidTarget(`unknown resource '${indicator}'`);
      return {
        scope: resource.scopes.join(' '),
        audience: resource.id,
        accessTokenTTL: resource.accessTokenTTL,
        accessTokenFormat: 'jwt',
        jwt: { sign: { alg: SIGNING_ALG } },
      };
    },
    // A code or refresh-token exchange names its resource again, as RFC 8707 asks; no token for an API by surprise.
    useGrantedResource: async () => false,
  };
}

/**
 * Adds what Azure AD tokens carry and oidc-provider's JWT access tokens lack: `azp`, the client the token was issued
 * to, and `roles`, the client's app roles for the token's resource (client credentials) or the user's roles (tokens
 * issued to a person). No roles → no `roles` claim, as Azure AD does. The header keeps RFC 9068's `typ: at+jwt`.
 */
export function accessTokenClaims(directory: Directory): JwtCustomizer {
  return (_ctx: KoaContextWithOIDC, token, jwt: JWTStructured) => {
    jwt.payload.azp = token.clientId;
    let roles: readonly string[] | undefined;
    if (token.kind === 'ClientCredentials') {
      const resource = token.resourceServer?.identifier();
      const client = token.clientId === undefined ? undefined : directory.clients.get(token.clientId);
      roles = resource === undefined ? undefined : client?.roles.get(resource);
    } else if ('accountId' in token && typeof token.accountId === 'string') {
      roles = directory.users.get(token.accountId)?.roles;
    }
    if (roles && roles.length > 0) jwt.payload.roles = [...roles];
  };
}
