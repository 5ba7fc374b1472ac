/**
 * `stripPrefixRegex` (Traefik): the first of `regex` (RE2, each trimmed) whose match starts the decoded path
 * has that match removed from the path (escaped characters in it count as what they stand for: `/b/ap%69/`
 * matches `/b/([a-z0-9]+)/`), and the match is added as `X-Forwarded-Prefix`. A stripped path that cleaning
 * would change (`/api./foo` → `/./foo`) gets 400, as in Traefik.
 */

import type { StripPrefixRegexConfig } from '../config/dynamic-schema.ts';
import { compileRe2Regexp } from '../rules/re2.ts';
import { httpError } from './http-error.ts';
import type { Middleware } from './types.ts';
import { decodePath, encodedPrefixLength, ensureLeadingSlash, isJoinedPath } from './url-path.ts';

/** Builds a stripPrefixRegex middleware; the regexps are compiled now. */
export function stripPrefixRegex(options: StripPrefixRegexConfig): Middleware {
  const regexps = options.regex.map((pattern) => compileRe2Regexp(pattern.trim()));
  return (next) => (exchange) => {
    if (regexps.length === 0) return next(exchange);
    let decoded: string;
    try {
      decoded = decodePath(exchange.path);
    } catch {
      httpError(exchange, 400);
      return Promise.resolve();
    }
    for (const regexp of regexps) {
      const matcher = regexp.matcher(decoded);
      if (!matcher.find()) continue;
      const prefix = matcher.group() ?? '';
      if (prefix === '' || !decoded.startsWith(prefix)) continue;
      const prior = exchange.headers['x-forwarded-prefix'];
      exchange.headers['x-forwarded-prefix'] = prior === undefined ? [prefix] : [...prior, prefix];
      const path = exchange.path;
      const stripped = ensureLeadingSlash(path.slice(encodedPrefixLength(path, Buffer.byteLength(prefix))));
      if (!isJoinedPath(stripped)) {
        httpError(exchange, 400);
        return Promise.resolve();
      }
      exchange.path = stripped;
      break;
    }
    return next(exchange);
  };
}
