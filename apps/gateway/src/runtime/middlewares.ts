/** Turns one validated middleware config into a middleware (chains are resolved by the caller). */

import type { MiddlewareConfig } from '../config/dynamic-schema.ts';
import type { ForwardAuthCacheConfig } from '../config/forward-auth-cache-schema.ts';
import type { Handler } from '../http/handler.ts';
import type { LeasePool } from '../http/transport.ts';
import { addPrefix } from '../middlewares/add-prefix.ts';
import { basicAuth } from '../middlewares/basic-auth.ts';
import { buffering } from '../middlewares/buffering.ts';
import { chain } from '../middlewares/chain.ts';
import { circuitBreaker } from '../middlewares/circuit-breaker.ts';
import { compress } from '../middlewares/compress.ts';
import { contentType } from '../middlewares/content-type.ts';
import { digestAuth } from '../middlewares/digest-auth.ts';
import { errorPages } from '../middlewares/error-pages.ts';
import { forwardAuth } from '../middlewares/forward-auth.ts';
import { grpcWebMiddleware } from '../middlewares/grpc-web.ts';
import { headers } from '../middlewares/headers.ts';
import { inFlightReq } from '../middlewares/in-flight-req.ts';
import { ipAllowList } from '../middlewares/ip-allow-list.ts';
import type { KeyCache } from '../middlewares/jwt/key-sets.ts';
import { jwt, keySourceId } from '../middlewares/jwt.ts';
import { passTlsClientCert } from '../middlewares/pass-tls-client-cert.ts';
import { rateLimit } from '../middlewares/rate-limit.ts';
import { redirectRegex } from '../middlewares/redirect-regex.ts';
import { redirectScheme } from '../middlewares/redirect-scheme.ts';
import { replacePath } from '../middlewares/replace-path.ts';
import { replacePathRegex } from '../middlewares/replace-path-regex.ts';
import { retry } from '../middlewares/retry.ts';
import { stripPrefix } from '../middlewares/strip-prefix.ts';
import { stripPrefixRegex } from '../middlewares/strip-prefix-regex.ts';
import type { Middleware } from '../middlewares/types.ts';
import type { AuthDecisionCounters } from '../observability/auth-decisions.ts';

/** What middleware factories may need. */
export interface MiddlewareDeps {
  readonly lease: LeasePool;
  /** Resolves the members of a chain, by name, in order. */
  readonly resolveChain: (names: readonly string[]) => Middleware[];
  /** Resolves a service by name (the errors middleware's pages); throws when it does not exist or is disabled. */
  readonly resolveService: (name: string) => Handler;
  /** Reports a runtime failure of the middleware worth a log line. */
  readonly onError: (error: unknown, message: string) => void;
  /** The key cache of a `jwt` middleware's key source, kept across reloads. */
  readonly keyCache: (source: string) => KeyCache;
  /** What a forwardAuth middleware counts its decisions with. */
  readonly authDecisions?: AuthDecisionCounters | undefined;
  /** The static `forwardAuthCache`: a forwardAuth middleware's decision cache (not with `forwardBody`). */
  readonly forwardAuthCache?: ForwardAuthCacheConfig | undefined;
}

/** Builds a middleware. Throws `ResourceError` (or a TypeError from a factory) when it cannot be built. */
export function createMiddleware(config: MiddlewareConfig, deps: MiddlewareDeps): Middleware {
  switch (config.type) {
    case 'forwardAuth':
    case 'cachedForwardAuth': {
      // A decision that depends on the body is never cached.
      const cache =
        config.type === 'cachedForwardAuth' || config.options.forwardBody ? undefined : deps.forwardAuthCache;
      return forwardAuth(cache === undefined ? config.options : { ...config.options, cache }, {
        lease: deps.lease,
        onError: (error) =>
          deps.onError(error, 'forwardAuth: the auth server could not be reached; answering 500'),
        decisions: deps.authDecisions,
      });
    }
    case 'jwt':
      return jwt(config.options, {
        lease: deps.lease,
        keyCache: deps.keyCache(keySourceId(config.options)),
        onError: deps.onError,
      });
    case 'basicAuth':
      return basicAuth(config.options);
    case 'stripPrefix':
      return stripPrefix(config.options);
    case 'headers':
      return headers(config.options);
    case 'redirectScheme':
      return redirectScheme(config.options);
    case 'chain':
      return chain(deps.resolveChain(config.options.middlewares));
    case 'addPrefix':
      return addPrefix(config.options);
    case 'replacePath':
      return replacePath(config.options);
    case 'replacePathRegex':
      return replacePathRegex(config.options);
    case 'stripPrefixRegex':
      return stripPrefixRegex(config.options);
    case 'redirectRegex':
      return redirectRegex(config.options, {
        onError: (error) => deps.onError(error, 'redirectRegex: the rewritten URL is invalid; answering 502'),
      });
    case 'ipAllowList':
      return ipAllowList(config.options);
    case 'ipWhiteList':
      return ipAllowList({ ...config.options, rejectStatusCode: 0 });
    case 'inFlightReq':
      return inFlightReq(config.options);
    case 'rateLimit':
      return rateLimit(config.options);
    case 'compress':
      return compress(config.options);
    case 'buffering':
      return buffering(config.options);
    case 'retry':
      return retry(config.options);
    case 'circuitBreaker':
      return circuitBreaker(config.options);
    case 'errors':
      return errorPages(config.options, { service: deps.resolveService(config.options.service) });
    case 'passTLSClientCert':
      return passTlsClientCert(config.options);
    case 'contentType':
      return contentType(config.options);
    case 'digestAuth':
      return digestAuth(config.options);
    case 'grpcWeb':
      return grpcWebMiddleware(config.options);
  }
}
