/**
 * `redirectRegex` (Traefik): `regex` (RE2) is matched against the URL the request came for
 * (`http[s]://<Host><path and query>`: `https` on TLS connections; X-Forwarded-Proto is not consulted, as in
 * Traefik), and a match is replaced by `replacement` (`$1`, `${name}` as in Go). A different URL is a
 * redirect (302, 307 for methods other than GET; 301 / 308 with `permanent`); the same URL passes through;
 * a result Go's URL parser refuses gets 502 `Bad Gateway`, as Traefik's error handler answers.
 */

import type { RedirectRegexConfig } from '../config/dynamic-schema.ts';
import { compileRe2Regexp } from '../rules/re2.ts';
import { goUrlParseError } from './go-url.ts';
import { statusText } from './http-error.ts';
import type { Middleware } from './types.ts';
import { replaceAllGo } from './url-path.ts';

/** What a redirectRegex middleware needs besides its config. */
export interface RedirectRegexDeps {
  /** Reports a replacement that yields a URL Go's parser refuses (the client gets 502). */
  readonly onError?: (error: Error) => void;
}

/** Builds a redirectRegex middleware; the regexp is compiled now. */
export function redirectRegex(options: RedirectRegexConfig, deps: RedirectRegexDeps = {}): Middleware {
  const regexp = compileRe2Regexp(options.regex);
  return (next) => async (exchange) => {
    const current = `${exchange.tls ? 'https' : 'http'}://${exchange.host}${exchange.requestUri()}`;
    if (!regexp.test(current)) return next(exchange);
    const target = replaceAllGo(regexp, current, options.replacement);
    const problem = goUrlParseError(target);
    if (problem !== undefined) {
      deps.onError?.(new Error(`redirectRegex: the rewritten URL "${target}" is invalid: ${problem}`));
      exchange.sendText(502, statusText(502));
      return;
    }
    if (target === current) return next(exchange);
    const get = exchange.method === 'GET';
    const status = options.permanent ? (get ? 301 : 308) : get ? 302 : 307;
    exchange.sendText(status, statusText(status), { location: target });
  };
}
