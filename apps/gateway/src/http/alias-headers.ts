/**
 * Traefik's entrypoint strategies for request headers whose names alias others. Many backends (CGI, WSGI, PHP,
 * nginx variables) turn every character of a header name that is not a letter, digit or dash into `_`, so
 * `X_Auth_User` and `X.Auth.User` reach them as the `X-Auth-User` that forwardAuth vouched for. A client could
 * smuggle such an alias past the middleware that manages the dash form; these strategies remove (`delete`) or
 * refuse (`reject`) them first. `keep` is Traefik's default for both.
 *
 * - `http.underscoreHeadersStrategy` (Traefik v3.7.6+): names containing `_`.
 * - `http.aliasHeadersStrategy` (Traefik v3.7.12+, which deprecates the other): names containing any
 *   character but a letter, digit or dash (`_`, `.`, `!`, `~`, ...).
 */

import type { HeaderMap } from './headers.ts';

/** What to do with a request header covered by a strategy. */
export type HeaderNameStrategy = 'keep' | 'delete' | 'reject';

/** The two strategies of an entrypoint; unset means `keep`. */
export interface HeaderNameStrategies {
  readonly alias?: HeaderNameStrategy | undefined;
  readonly underscore?: HeaderNameStrategy | undefined;
}

const ALIASING = /[^a-z0-9-]/;

/**
 * Compiles the strategies into a check on the request headers (lower-case names), or `undefined` when both
 * keep everything. The check returns false when the request must be refused (a `reject` strategy covers one
 * of its headers, whatever the other says); otherwise it removes, in place, the headers a `delete` covers.
 */
export function headerNamePolicy(
  strategies: HeaderNameStrategies,
): ((headers: HeaderMap) => boolean) | undefined {
  const alias = strategies.alias ?? 'keep';
  const underscore = strategies.underscore ?? 'keep';
  if (alias === 'keep' && underscore === 'keep') return undefined;
  return (headers) => {
    for (const name of Object.keys(headers)) {
      // Every underscore name aliases, so names that do not alias are left alone by both strategies.
      if (!ALIASING.test(name)) continue;
      const byUnderscore = name.includes('_') ? underscore : 'keep';
      if (alias === 'reject' || byUnderscore === 'reject') return false;
      if (alias === 'delete' || byUnderscore === 'delete') delete headers[name];
    }
    return true;
  };
}
