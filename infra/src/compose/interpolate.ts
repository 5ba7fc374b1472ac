/**
 * Compose's variable interpolation, applied to every string value of the file before it means anything:
 * `$$` is a literal `$`; `$VAR`, `${VAR}`; `${VAR:-default}` / `${VAR-default}` (default when unset or empty / unset);
 * `${VAR:?message}` / `${VAR?message}` (an error); `${VAR:+other}` / `${VAR+other}`. Keys are never interpolated.
 */

/** A variable that must be set (`${VAR:?message}`) is not, or a `$` that starts nothing valid. */
export class InterpolationError extends Error {
  readonly code = 'COMPOSE_INTERPOLATION';
}

/** Values the interpolation reads, as the shell environment (and `.env`) would give them. */
export type Variables = Readonly<Record<string, string | undefined>>;

const NAME = /^[A-Za-z_][A-Za-z0-9_]*/;

function expand(expression: string, vars: Variables, text: string): string {
  const name = NAME.exec(expression)?.[0];
  if (name === undefined)
    throw new InterpolationError(`invalid interpolation format for ${JSON.stringify(text)}`);
  const rest = expression.slice(name.length);
  const value = vars[name];
  const set = value !== undefined;
  const nonEmpty = set && value !== '';
  if (rest === '') return value ?? '';
  const colon = rest.startsWith(':');
  const operator = rest[colon ? 1 : 0];
  const word = rest.slice(colon ? 2 : 1);
  const present = colon ? nonEmpty : set;
  switch (operator) {
    case '-':
      return present ? (value ?? '') : word;
    case '+':
      return present ? word : '';
    case '?':
      if (!present) throw new InterpolationError(`required variable ${name} is missing a value: ${word}`);
      return value ?? '';
    default:
      throw new InterpolationError(`invalid interpolation format for ${JSON.stringify(text)}`);
  }
}

/** Interpolates one string. */
export function interpolate(text: string, vars: Variables): string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const dollar = text.indexOf('$', i);
    if (dollar === -1) {
      out += text.slice(i);
      break;
    }
    out += text.slice(i, dollar);
    const next = text[dollar + 1];
    if (next === '$') {
      out += '$';
      i = dollar + 2;
    } else if (next === '{') {
      const close = text.indexOf('}', dollar + 2);
      if (close === -1)
        throw new InterpolationError(`invalid interpolation format for ${JSON.stringify(text)}`);
      out += expand(text.slice(dollar + 2, close), vars, text);
      i = close + 1;
    } else {
      const name = NAME.exec(text.slice(dollar + 1))?.[0];
      // A lone `$` (end of string, or before a character that starts no name) is kept, as Compose does.
      if (name === undefined) {
        out += '$';
        i = dollar + 1;
      } else {
        out += vars[name] ?? '';
        i = dollar + 1 + name.length;
      }
    }
  }
  return out;
}

/** Interpolates every string value in a parsed document (keys stay as written). */
export function interpolateTree(value: unknown, vars: Variables): unknown {
  if (typeof value === 'string') return interpolate(value, vars);
  if (Array.isArray(value)) return value.map((item) => interpolateTree(item, vars));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolateTree(v, vars)]));
  }
  return value;
}
