/**
 * Options of the `cachedForwardAuth` middleware: every `forwardAuth` option, plus `cache`, which remembers the
 * auth server's decisions for a short time (traefik/traefik#391, #6777, #9857 ask for it). Traefik's schema
 * refuses unknown fields in `forwardAuth`, so the cached variant takes the plugin shape
 * (`plugin: { cachedForwardAuth: { address: ..., cache: {...} } }`), which Traefik's file provider parses.
 */

import type { ForwardAuthConfig } from './dynamic-schema.ts';
import {
  duration,
  type Infer,
  integer,
  list,
  object,
  refine,
  type Schema,
  string,
  withDefault,
} from './schema.ts';

/** An HTTP field name (RFC 9110 token). */
const headerName = refine(string({ nonEmpty: true }), (value) =>
  /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(value) ? undefined : `"${value}" is not a header name`,
);

/** `cache`: shared by `cachedForwardAuth` and the static `forwardAuthCache`. */
export const forwardAuthCacheSchema = object({
  /** How long an allowed decision is reused. */
  ttl: withDefault(duration({ min: 1 }), 10_000),
  /** How long a denial is reused; 0 (the default) never reuses one. */
  negativeTtl: withDefault(duration({ min: 0 }), 0),
  /** Decisions kept at most; the least recently used goes first. */
  maxEntries: withDefault(integer({ min: 1, max: 1_000_000 }), 1000),
  /** The auth request headers a decision depends on: requests that agree on all of them share it. */
  key: withDefault(
    refine(list(headerName), (names) =>
      names.length === 0
        ? 'needs at least one header: an empty key would share one decision among all'
        : undefined,
    ),
    ['Authorization', 'Cookie'],
  ),
});

/** `cachedForwardAuth.cache`; durations in milliseconds. */
export type ForwardAuthCacheConfig = Infer<typeof forwardAuthCacheSchema>;

/** `cachedForwardAuth`: forwardAuth's options and the cache's. */
export type CachedForwardAuthConfig = ForwardAuthConfig & { readonly cache: ForwardAuthCacheConfig };

/**
 * The schema of `cachedForwardAuth`, from forwardAuth's own: `cache` is taken out and checked here, the rest
 * is checked as a `forwardAuth` would be. A body-dependent decision (`forwardBody`) is never cached.
 */
export function cachedForwardAuthSchema(
  forwardAuth: Schema<ForwardAuthConfig>,
): Schema<CachedForwardAuthConfig> {
  return {
    expected: 'a map',
    parse(input, path, issues) {
      if (typeof input !== 'object' || input === null || Array.isArray(input)) {
        return void issues.error(path, 'expected a map');
      }
      const rest: Record<string, unknown> = {};
      let cacheKey: string | undefined;
      for (const [key, value] of Object.entries(input)) {
        if (key.toLowerCase() === 'cache') cacheKey = key;
        else rest[key] = value;
      }
      const options = forwardAuth.parse(rest, path, issues);
      const cache = forwardAuthCacheSchema.parse(
        cacheKey === undefined ? {} : (input as Record<string, unknown>)[cacheKey],
        `${path}.cache`,
        issues,
      );
      if (options?.forwardBody) {
        issues.error(`${path}.forwardBody`, 'a decision that depends on the body cannot be cached');
        return undefined;
      }
      return options === undefined || cache === undefined ? undefined : { ...options, cache };
    },
  };
}
