/**
 * Go duration parsing, as Traefik's config fields accept it: `"2s"`, `"500ms"`, `"1m30s"`, or a bare number
 * of seconds (`ptypes.Duration` treats integers as seconds).
 */

const unitMs: Readonly<Record<string, number>> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  μs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

const part = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/y;

/**
 * Parses a Go duration string or a number of seconds into milliseconds.
 * Returns `undefined` when the text is not a duration, so the caller can report it with the field's path.
 */
export function parseDuration(value: string | number): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value * 1000 : undefined;
  let text = value.trim();
  if (/^[+-]?\d+(\.\d+)?$/.test(text)) return Number(text) * 1000;
  let sign = 1;
  if (text.startsWith('-') || text.startsWith('+')) {
    sign = text.startsWith('-') ? -1 : 1;
    text = text.slice(1);
  }
  if (text === '0') return 0;
  if (text === '') return undefined;
  let total = 0;
  part.lastIndex = 0;
  while (part.lastIndex < text.length) {
    const match = part.exec(text);
    if (match === null) return undefined;
    total += Number(match[1]) * (unitMs[match[2] ?? ''] ?? Number.NaN);
  }
  return Number.isFinite(total) ? sign * total : undefined;
}
