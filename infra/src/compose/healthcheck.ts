/**
 * A container health check as Docker runs it, from either source: the image's `HEALTHCHECK` or the compose
 * service's `healthcheck:`. Compose's fields override the image's one by one, as the engine merges them.
 */

import { parseGoDuration, toMilliseconds } from '@gateway-pattern/go-duration';

/** What a check runs: an argv (`CMD`), or a command line for the image's `/bin/sh -c` (`CMD-SHELL`). */
export type HealthTest =
  | { readonly kind: 'exec'; readonly argv: string[] }
  | { readonly kind: 'shell'; readonly command: string };

/** Some fields of a health check; absent ones come from the other source, then from Docker's defaults. */
export interface HealthcheckFields {
  test?: HealthTest | 'none';
  intervalMs?: number;
  timeoutMs?: number;
  retries?: number;
  startPeriodMs?: number;
}

/** A complete health check. */
export interface Healthcheck {
  readonly test: HealthTest;
  readonly intervalMs: number;
  readonly timeoutMs: number;
  readonly retries: number;
  readonly startPeriodMs: number;
}

/** Docker's defaults: every 30 s, 30 s each, unhealthy after 3 failures, no start period. */
export const HEALTHCHECK_DEFAULTS = {
  intervalMs: 30_000,
  timeoutMs: 30_000,
  retries: 3,
  startPeriodMs: 0,
} as const;

/** A bad health check definition (unknown test form, bad duration). */
export class HealthcheckError extends Error {
  readonly code = 'HEALTHCHECK_INVALID';
}

/** A Go duration (`5s`, `1m30s`, `500ms`), as Docker and Compose write them, in milliseconds. */
export function durationMs(text: string, what: string): number {
  try {
    return toMilliseconds(parseGoDuration(text));
  } catch (err) {
    throw new HealthcheckError(`${what}: ${(err as Error).message}`);
  }
}

/** `["CMD", ...argv]`, `["CMD-SHELL", line]`, `["NONE"]` or a bare string (a shell line). */
export function parseTest(test: unknown, what: string): HealthTest | 'none' {
  if (typeof test === 'string') return { kind: 'shell', command: test };
  if (!Array.isArray(test) || test.length === 0 || !test.every((part) => typeof part === 'string')) {
    throw new HealthcheckError(`${what}: test must be a string or a list of strings`);
  }
  const [form, ...rest] = test as string[];
  if (form === 'NONE') return 'none';
  if (form === 'CMD' && rest.length > 0) return { kind: 'exec', argv: rest };
  if (form === 'CMD-SHELL' && rest.length === 1) return { kind: 'shell', command: rest[0] ?? '' };
  throw new HealthcheckError(
    `${what}: test must start with CMD (then the argv), CMD-SHELL (then one line) or NONE`,
  );
}

/**
 * The health check a container gets: `override`'s fields over `base`'s over Docker's defaults. Undefined when
 * neither defines a test, or the winning test is `NONE`.
 */
export function mergeHealthchecks(
  base: HealthcheckFields | undefined,
  override: HealthcheckFields | undefined,
): Healthcheck | undefined {
  const test = override?.test ?? base?.test;
  if (test === undefined || test === 'none') return undefined;
  return {
    test,
    intervalMs: override?.intervalMs ?? base?.intervalMs ?? HEALTHCHECK_DEFAULTS.intervalMs,
    timeoutMs: override?.timeoutMs ?? base?.timeoutMs ?? HEALTHCHECK_DEFAULTS.timeoutMs,
    retries: override?.retries ?? base?.retries ?? HEALTHCHECK_DEFAULTS.retries,
    startPeriodMs: override?.startPeriodMs ?? base?.startPeriodMs ?? HEALTHCHECK_DEFAULTS.startPeriodMs,
  };
}
