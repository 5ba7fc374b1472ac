/** Turns one validated middleware config into a middleware (chains are resolved by the caller). */

import type { MiddlewareConfig } from '../config/dynamic-schema.ts';
import type { LeasePool } from '../http/transport.ts';
import { basicAuth } from '../middlewares/basic-auth.ts';
import { chain } from '../middlewares/chain.ts';
import { forwardAuth } from '../middlewares/forward-auth.ts';
import { headers } from '../middlewares/headers.ts';
import { redirectScheme } from '../middlewares/redirect-scheme.ts';
import { stripPrefix } from '../middlewares/strip-prefix.ts';
import type { Middleware } from '../middlewares/types.ts';

/** What middleware factories may need. */
export interface MiddlewareDeps {
  readonly lease: LeasePool;
  /** Resolves the members of a chain, by name, in order. */
  readonly resolveChain: (names: readonly string[]) => Middleware[];
  /** Reports a runtime failure of the middleware worth a log line. */
  readonly onError: (error: unknown) => void;
}

/** Builds a middleware. Throws `ResourceError` (or a TypeError from a factory) when it cannot be built. */
export function createMiddleware(config: MiddlewareConfig, deps: MiddlewareDeps): Middleware {
  switch (config.type) {
    case 'forwardAuth':
      return forwardAuth(config.options, { lease: deps.lease, onError: deps.onError });
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
  }
}
