/**
 * `replacePathRegex` (Traefik): when `regex` (RE2, trimmed) matches the escaped path, every match is replaced
 * by `replacement` (trimmed; `$1`, `${name}` as in Go) and the old path goes to `X-Replaced-Path`. A result
 * Go cannot unescape gets 500; one that cleaning would change (`/foo../bar` → `/../bar`) gets 400.
 */

import type { ReplacePathRegexConfig } from '../config/dynamic-schema.ts';
import { compileRe2Regexp } from '../rules/re2.ts';
import { httpError } from './http-error.ts';
import { addReplacedPath } from './replace-path.ts';
import type { Middleware } from './types.ts';
import { escapedPathOf, isJoinedPath, replaceAllGo, unescapePathBytes } from './url-path.ts';

/** Builds a replacePathRegex middleware; the regexp is compiled now. */
export function replacePathRegex(options: ReplacePathRegexConfig): Middleware {
  const regexp = compileRe2Regexp(options.regex.trim());
  const replacement = options.replacement.trim();
  return (next) => (exchange) => {
    const current = exchange.path;
    if (!regexp.test(current)) return next(exchange);
    addReplacedPath(exchange.headers, current);
    const raw = replaceAllGo(regexp, current, replacement);
    let path: string;
    try {
      unescapePathBytes(raw);
      path = escapedPathOf(raw);
    } catch (error) {
      httpError(exchange, 500, (error as Error).message);
      return Promise.resolve();
    }
    if (!isJoinedPath(path)) {
      httpError(exchange, 400);
      return Promise.resolve();
    }
    exchange.path = path;
    return next(exchange);
  };
}
