/**
 * Go's `time.ParseDuration`, to the nanosecond: the same texts are accepted, they give the same int64, and the
 * same texts are refused. Traefik, ghz and every Go tool read durations this way, so our configs and command
 * lines can be pasted into theirs and back.
 */

import { GoDurationError } from './errors.ts';

const NANOSECONDS_PER_UNIT: ReadonlyMap<string, bigint> = new Map([
  ['ns', 1n],
  ['us', 1_000n],
  ['µs', 1_000n], // U+00B5 MICRO SIGN
  ['μs', 1_000n], // U+03BC GREEK SMALL LETTER MU
  ['ms', 1_000_000n],
  ['s', 1_000_000_000n],
  ['m', 60_000_000_000n],
  ['h', 3_600_000_000_000n],
]);

/** 2^63: the magnitude of the most negative int64, one more than the largest positive one. */
const INT64_MAGNITUDE = 1n << 63n;

function isDigit(char: string | undefined): boolean {
  return char !== undefined && char >= '0' && char <= '9';
}

/**
 * Parses a Go duration (`300ms`, `-1.5h`, `2h45m`, `1m30s`, `.5s`, `1.s`, `0`) to nanoseconds, the value of a
 * Go `time.Duration`. Throws {@link GoDurationError} for anything `time.ParseDuration` refuses: `""`, `"3"`
 * (no unit), `"1d"`, `"."`, or more than int64 nanoseconds. No whitespace is allowed, as in Go.
 */
export function parseGoDuration(text: string): bigint {
  let at = 0;
  let negative = false;
  if (text[0] === '-' || text[0] === '+') {
    negative = text[0] === '-';
    at = 1;
  }
  // A lone zero is the only number that needs no unit.
  if (text.length === at + 1 && text[at] === '0') return 0n;
  if (at === text.length) throw new GoDurationError('ERR_GO_DURATION_SYNTAX', text);

  let total = 0n;
  while (at < text.length) {
    if (text[at] !== '.' && !isDigit(text[at])) throw new GoDurationError('ERR_GO_DURATION_SYNTAX', text);

    const wholeFrom = at;
    let whole = 0n;
    for (; isDigit(text[at]); at++) {
      whole = whole * 10n + BigInt(Number(text[at]));
      if (whole > INT64_MAGNITUDE) throw new GoDurationError('ERR_GO_DURATION_RANGE', text);
    }
    const hasWhole = at > wholeFrom;

    // Go keeps the fraction's leading digits while they fit in int64 and drops the rest (a
    // 30-digit fraction is valid; its tail is below a nanosecond anyway).
    let fraction = 0n;
    let scale = 1;
    let hasFraction = false;
    if (text[at] === '.') {
      at++;
      const fractionFrom = at;
      let dropping = false;
      for (; isDigit(text[at]); at++) {
        if (dropping) continue;
        const next = fraction * 10n + BigInt(Number(text[at]));
        if (next > INT64_MAGNITUDE) {
          dropping = true;
          continue;
        }
        fraction = next;
        scale *= 10;
      }
      hasFraction = at > fractionFrom;
    }
    if (!hasWhole && !hasFraction) throw new GoDurationError('ERR_GO_DURATION_SYNTAX', text);

    const unitFrom = at;
    while (at < text.length && text[at] !== '.' && !isDigit(text[at])) at++;
    if (at === unitFrom) throw new GoDurationError('ERR_GO_DURATION_MISSING_UNIT', text);
    const unitText = text.slice(unitFrom, at);
    const unit = NANOSECONDS_PER_UNIT.get(unitText);
    if (unit === undefined) throw new GoDurationError('ERR_GO_DURATION_UNKNOWN_UNIT', text, unitText);

    if (whole > INT64_MAGNITUDE / unit) throw new GoDurationError('ERR_GO_DURATION_RANGE', text);
    let value = whole * unit;
    if (fraction > 0n) {
      // Go scales the fraction in float64 and truncates; doing the same keeps every result identical,
      // e.g. "0.3333333333333333333h" is exactly 20m in Go, not 20m less a nanosecond.
      value += BigInt(Math.trunc(Number(fraction) * (Number(unit) / scale)));
      if (value > INT64_MAGNITUDE) throw new GoDurationError('ERR_GO_DURATION_RANGE', text);
    }
    total += value;
    if (total > INT64_MAGNITUDE) throw new GoDurationError('ERR_GO_DURATION_RANGE', text);
  }

  if (negative) return -total;
  if (total >= INT64_MAGNITUDE) throw new GoDurationError('ERR_GO_DURATION_RANGE', text);
  return total;
}

const NANOSECONDS_PER_MILLISECOND = 1_000_000n;

/**
 * Nanoseconds (from {@link parseGoDuration}) as milliseconds, the unit of timers and `performance.now()`.
 * Whole milliseconds are exact; the sub-millisecond part keeps a double's precision.
 */
export function toMilliseconds(nanoseconds: bigint): number {
  const whole = nanoseconds / NANOSECONDS_PER_MILLISECOND;
  const rest = nanoseconds % NANOSECONDS_PER_MILLISECOND;
  return Number(whole) + Number(rest) / 1e6;
}
