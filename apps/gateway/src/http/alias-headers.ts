/**
 * Traefik's entrypoint `http.aliasHeadersStrategy`. Many backends (CGI, WSGI, PHP, nginx variables) turn every
 * character of a header name that is not a letter, digit or dash into `_`, so `X_Auth_User` and `X.Auth.User`
 * reach them as the `X-Auth-User` that forwardAuth vouched for. A client could smuggle such an alias past the
 * middleware that manages the dash form; this strategy removes (`delete`) or refuses (`reject`) them first.
 */

import type { HeaderMap } from './headers.ts';

/** What to do with a request header whose name aliases another: Traefik's default is `keep`. */
export type AliasHeadersStrategy = 'keep' | 'delete' | 'reject';

const ALIASING = /[^a-z0-9-]/;

/**
 * Applies `strategy` to `headers` (lower-case names). Returns false when the request must be refused;
 * with `delete`, removes the aliasing headers in place.
 */
export function applyAliasHeadersStrategy(headers: HeaderMap, strategy: AliasHeadersStrategy): boolean {
  if (strategy === 'keep') return true;
  for (const name of Object.keys(headers)) {
    if (!ALIASING.test(name)) continue;
    if (strategy === 'reject') return false;
    delete headers[name];
  }
  return true;
}
