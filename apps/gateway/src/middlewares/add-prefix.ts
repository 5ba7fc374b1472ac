/**
 * `addPrefix` (Traefik): puts `prefix` in front of the path before the request goes on (`/b` with prefix `/a`
 * → `/a/b`; a prefix without a leading `/` gets one). The prefix is text, as Traefik adds it to the decoded
 * path: a `%` in it is sent as `%25`.
 */

import type { AddPrefixConfig } from '../config/dynamic-schema.ts';
import type { Middleware } from './types.ts';
import { ensureLeadingSlash, escapePath } from './url-path.ts';

/** Builds an addPrefix middleware. */
export function addPrefix(options: AddPrefixConfig): Middleware {
  const prefix = escapePath(options.prefix);
  return (next) => (exchange) => {
    exchange.path = ensureLeadingSlash(prefix + exchange.path);
    return next(exchange);
  };
}
