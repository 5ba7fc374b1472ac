/**
 * Durations in Traefik's config fields (`ptypes.Duration`): a Go duration string (`"2s"`, `"500ms"`, `"1m30s"`),
 * or a bare number, which Traefik reads as seconds.
 */

import { GoDurationError, parseGoDuration, toMilliseconds } from '@gateway-pattern/go-duration';

// Traefik itself takes only integers as seconds; a decimal ("1.5") is kept as seconds too, as this gateway
// always has, because refusing it now would break configs that load today.
const SECONDS = /^[+-]?\d+(\.\d+)?$/;

/**
 * Parses a Go duration string or a number of seconds into milliseconds.
 * Returns `undefined` when the value is not a duration, so the caller can report it with the field's path.
 */
export function parseDuration(value: string | number): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value * 1000 : undefined;
  const text = value.trim();
  if (SECONDS.test(text)) return Number(text) * 1000;
  try {
    return toMilliseconds(parseGoDuration(text));
  } catch (error) {
    if (error instanceof GoDurationError) return undefined;
    throw error;
  }
}
