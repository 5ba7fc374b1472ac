/**
 * Go regexps for rules and middlewares, with Go's syntax and Go's running time. Traefik compiles
 * `HostRegexp`, `PathRegexp`, `HeaderRegexp`, `QueryRegexp`, v2 templates and `authResponseHeadersRegex`
 * with Go's `regexp` (RE2): matching takes time linear in the input. JavaScript's RegExp backtracks, so a
 * pattern like `^/(a+)+$` would let one crafted Host, path or header name hold the event loop for hours.
 * re2js is a port of the same engine (RE2/J, itself Go's `regexp/syntax`), so patterns mean what they mean
 * under Traefik: `(?P<name>…)`, `\A`, `\z`, `\Q…\E`, POSIX classes, flag groups anywhere, and RE2's
 * refusals (lookaround, backreferences, `\C`, `\Z`) are errors here too.
 */

import { RE2JS } from 're2js';

/** Thrown by {@link compileRe2} with the reason; the matcher adds which argument it was. */
export class Re2Error extends Error {}

/** A compiled RE2 pattern. `test` is unanchored, as Go's `MatchString`, and linear in the input's length. */
export interface Re2Pattern {
  test(input: string): boolean;
}

/**
 * Compiles the RE2 pattern `pattern`, optionally case-insensitive. Throws {@link Re2Error} for what Go's
 * `regexp.Compile` rejects. Compile once (at config load) and test per request.
 */
export function compileRe2(pattern: string, options: { ignoreCase?: boolean } = {}): Re2Pattern {
  return compileRe2Regexp(pattern, options);
}

/**
 * {@link compileRe2} with re2js's whole API (submatches and their positions), for the middlewares that
 * rewrite with what a pattern captured (replacePathRegex, stripPrefixRegex, redirectRegex).
 */
export function compileRe2Regexp(pattern: string, options: { ignoreCase?: boolean } = {}): RE2JS {
  try {
    return RE2JS.compile(pattern, options.ignoreCase ? RE2JS.CASE_INSENSITIVE : 0);
  } catch (error) {
    throw new Re2Error(reason(pattern, error));
  }
}

/** re2js reports where parsing stopped; say what the author most likely meant when it is a Perl-only form. */
function reason(pattern: string, error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  if (/`\(\?(?:=|!|<=|<!)/.test(message)) return `lookaround is not supported by RE2: ${pattern}`;
  if (/invalid escape sequence: `\\(?:[1-9]|k)/.test(message)) {
    return `backreferences are not supported by RE2: ${pattern}`;
  }
  return `invalid regexp ${pattern}: ${message}`;
}
