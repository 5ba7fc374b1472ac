/**
 * Traefik's access-log filters (`accessLog.filters`, `keepAccessLog` in `logger.go`): with any filter set, a line
 * is written when at least one of them keeps it: its status is in one of `statusCodes` (`"404"`, `"500-599"`),
 * or `retryAttempts` is on and the request was retried, or it took longer than `minDuration`. No filter set
 * (or only empty ones): every line is written.
 */

import type { AccessLogConfig } from '../config/static.ts';

/** Whether a finished request is logged. */
export type LineFilter = (status: number, retryAttempts: number, durationNs: bigint) => boolean;

/**
 * A status range as Traefik reads it: one code, or `low-high` (both included). Returns an error message when
 * the text is not one.
 */
export function parseStatusRange(text: string): readonly [number, number] | string {
  const parts = text.split('-');
  const valid = (part: string | undefined) => part !== undefined && /^\d{1,3}$/.test(part.trim());
  if (parts.length > 2 || !parts.every(valid)) {
    return `expected a status code or a range such as "400-499", got "${text}"`;
  }
  const low = Number(parts[0]);
  const high = Number(parts[1] ?? parts[0]);
  if (low > high) return `the range "${text}" is empty (${low} is above ${high})`;
  return [low, high];
}

/** The filter for `accessLog.filters`, or undefined when every line is written. */
export function lineFilter(filters: AccessLogConfig['filters']): LineFilter | undefined {
  const ranges = (filters?.statusCodes ?? [])
    .map(parseStatusRange)
    .filter((range): range is readonly [number, number] => typeof range !== 'string');
  const retries = filters?.retryAttempts === true;
  const minDurationNs = BigInt(Math.round((filters?.minDuration ?? 0) * 1e6));
  if (ranges.length === 0 && !retries && minDurationNs === 0n) return undefined;
  return (status, retryAttempts, durationNs) => {
    for (const [low, high] of ranges) if (status >= low && status <= high) return true;
    if (retries && retryAttempts > 0) return true;
    return minDurationNs > 0n && durationNs > minDurationNs;
  };
}
