/** What the two matcher sets (v3, v2) share: the factory shape and argument checks. */

import type { Matcher } from '../types.ts';

/** Builds the matcher for one call from its arguments; throws {@link MatcherError} when they are wrong. */
export type MatcherFactory = (args: readonly string[]) => Matcher;

/** Thrown by a {@link MatcherFactory}; the compiler adds the rule for context. */
export class MatcherError extends Error {}

/** Throws unless there are exactly as many arguments as one of `counts` (Traefik's message). */
export function expectArgs(name: string, args: readonly string[], ...counts: number[]): void {
  if (!counts.includes(args.length)) {
    throw new MatcherError(
      `unexpected number of parameters for ${name}; got ${args.length}, expected one of [${counts.join(' ')}]`,
    );
  }
}

/** Throws unless there is at least one argument (v2 matchers take lists). */
export function expectSome(name: string, args: readonly string[]): void {
  if (args.length === 0) throw new MatcherError(`no arguments for matcher ${name}`);
}

/** Throws when a path argument does not start with `/`. */
export function expectPath(name: string, path: string): void {
  if (!path.startsWith('/')) throw new MatcherError(`${name}: path "${path}" does not start with a '/'`);
}

/** Throws when a host argument is not ASCII (Traefik asks for punycode). */
export function expectAscii(name: string, value: string): void {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: ASCII is exactly \x00-\x7F
  if (!/^[\x00-\x7F]*$/.test(value)) {
    throw new MatcherError(
      `invalid value "${value}" for ${name} matcher, non-ASCII characters are not allowed`,
    );
  }
}

/** Matches when any of `values` passes `test`. */
export function some(values: readonly string[], test: (value: string) => boolean): boolean {
  for (const value of values) if (test(value)) return true;
  return false;
}
