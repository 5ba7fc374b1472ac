/**
 * `chain` (Traefik §2.8): a named list of middlewares used as one. The first in the list sees the request first.
 */

import type { Middleware } from './types.ts';

/** Composes middlewares so that `middlewares[0]` is outermost. An empty chain passes requests through. */
export function chain(middlewares: readonly Middleware[]): Middleware {
  return (next) => middlewares.reduceRight((handler, middleware) => middleware(handler), next);
}
