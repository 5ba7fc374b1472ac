/**
 * A small validation kit for Traefik-style configuration trees (static and dynamic).
 *
 * Traefik's own decoder (paerser) matches field names case-insensitively and converts scalars from their text,
 * so `passHostHeader: "false"` and `PassHostHeader: false` mean the same thing; the kit does the same.
 * Each schema reports problems with the dotted path of the field, and parsing goes on after an error, so one
 * pass lists every problem. A schema's output type is inferred (`Infer<typeof schema>`).
 */

import { parseDuration } from './duration.ts';

/** How bad a problem is: errors reject the thing being parsed, warnings are only logged. */
export type Severity = 'error' | 'warning';

/** One problem found while parsing, with the dotted path of the field. */
export interface Issue {
  readonly path: string;
  readonly message: string;
  readonly severity: Severity;
}

/** Collects the problems of one parse. */
export class Issues {
  readonly list: Issue[] = [];

  /** Records an error at `path`. */
  error(path: string, message: string): void {
    this.list.push({ path, message, severity: 'error' });
  }

  /** Records a warning at `path`. */
  warn(path: string, message: string): void {
    this.list.push({ path, message, severity: 'warning' });
  }

  /** True when at least one error was recorded. */
  get hasErrors(): boolean {
    return this.list.some((issue) => issue.severity === 'error');
  }

  /** Each problem of the given severity as one line, `path: message`. */
  lines(severity: Severity): string[] {
    return this.list
      .filter((issue) => issue.severity === severity)
      .map((issue) => (issue.path === '' ? issue.message : `${issue.path}: ${issue.message}`));
  }
}

/** Parses one configuration value. */
export interface Schema<T> {
  /** What the schema expects, for messages: `a string`, `a list`. */
  readonly expected: string;
  /** Set by `required()` and `withDefault()`: the field is always present in the parsed object. */
  readonly present?: true;
  /** Runtime side of `required()`. */
  readonly isRequired?: boolean;
  /** Runtime side of `withDefault()`. */
  readonly defaultValue?: T;
  /** Returns the parsed value, or `undefined` after reporting the problem to `issues`. */
  parse(value: unknown, path: string, issues: Issues): T | undefined;
}

/** The output type of a schema. */
export type Infer<S> = S extends Schema<infer T> ? T : never;

type Simplify<T> = { [K in keyof T]: T[K] } & {};
type Shape = { readonly [key: string]: Schema<unknown> };
type PresentKeys<S extends Shape> = {
  [K in keyof S]: S[K] extends { readonly present: true } ? K : never;
}[keyof S];

/** The output type of `object(shape)`: required and defaulted fields are present, the rest optional. */
export type ObjectOf<S extends Shape> = Simplify<
  { [K in PresentKeys<S>]: Infer<S[K]> } & { [K in Exclude<keyof S, PresentKeys<S>>]?: Infer<S[K]> }
>;

const describe = (value: unknown): string => {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a map';
  return `${typeof value} ${JSON.stringify(value)}`;
};

const join = (path: string, key: string | number): string =>
  typeof key === 'number' ? `${path}[${key}]` : path === '' ? key : `${path}.${key}`;

const isScalar = (value: unknown): value is string | number | boolean =>
  typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';

/** A string. Numbers and booleans are taken as their text and null as `''`, like Traefik's decoder does. */
export function string(options: { nonEmpty?: boolean } = {}): Schema<string> {
  return {
    expected: 'a string',
    parse(value, path, issues) {
      const text = value === null ? '' : isScalar(value) ? String(value) : undefined;
      if (text === undefined) return void issues.error(path, `expected a string, got ${describe(value)}`);
      if (options.nonEmpty && text === '') return void issues.error(path, 'must not be empty');
      return text;
    },
  };
}

const truthy = new Set(['1', 't', 'true']);
const falsy = new Set(['0', 'f', 'false']);

/** A boolean; also `"true"`/`"false"` and Go's other `strconv.ParseBool` spellings. */
export function boolean(): Schema<boolean> {
  return {
    expected: 'a boolean',
    parse(value, path, issues) {
      if (typeof value === 'boolean') return value;
      const text =
        typeof value === 'string' ? value.toLowerCase() : typeof value === 'number' ? String(value) : '';
      if (truthy.has(text)) return true;
      if (falsy.has(text)) return false;
      return void issues.error(path, `expected a boolean, got ${describe(value)}`);
    },
  };
}

/** An integer (a number or its text), optionally bounded. */
export function integer(options: { min?: number; max?: number } = {}): Schema<number> {
  return {
    expected: 'an integer',
    parse(value, path, issues) {
      const number =
        typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : Number.NaN;
      if (!Number.isInteger(number) || (typeof value === 'string' && value.trim() === '')) {
        return void issues.error(path, `expected an integer, got ${describe(value)}`);
      }
      if (options.min !== undefined && number < options.min) {
        return void issues.error(path, `must be at least ${options.min}, got ${number}`);
      }
      if (options.max !== undefined && number > options.max) {
        return void issues.error(path, `must be at most ${options.max}, got ${number}`);
      }
      return number;
    },
  };
}

/** A duration (`"2s"`, `"500ms"`, or a number of seconds), parsed to milliseconds. */
export function duration(options: { min?: number } = {}): Schema<number> {
  return {
    expected: 'a duration',
    parse(value, path, issues) {
      const ms = typeof value === 'string' || typeof value === 'number' ? parseDuration(value) : undefined;
      if (ms === undefined) {
        return void issues.error(path, `expected a duration such as "5s" or "200ms", got ${describe(value)}`);
      }
      if (options.min !== undefined && ms < options.min)
        return void issues.error(path, 'must not be negative');
      return ms;
    },
  };
}

/** One of a fixed set of strings, compared case-insensitively; the canonical spelling is returned. */
export function oneOf<const V extends string>(values: readonly V[]): Schema<V> {
  const byLower = new Map(values.map((v) => [v.toLowerCase(), v]));
  return {
    expected: `one of ${values.join(', ')}`,
    parse(value, path, issues) {
      const found = isScalar(value) ? byLower.get(String(value).toLowerCase()) : undefined;
      if (found === undefined) {
        return void issues.error(path, `expected one of ${values.join(', ')}, got ${describe(value)}`);
      }
      return found;
    },
  };
}

/** A list. A single string is split on commas, as Traefik does for list flags. */
export function list<T>(item: Schema<T>): Schema<T[]> {
  return {
    expected: 'a list',
    parse(value, path, issues) {
      const items = typeof value === 'string' ? value.split(',').map((s) => s.trim()) : value;
      if (value === null) return [];
      if (!Array.isArray(items)) return void issues.error(path, `expected a list, got ${describe(value)}`);
      const out: T[] = [];
      items.forEach((entry: unknown, index) => {
        const parsed = item.parse(entry, join(path, index), issues);
        if (parsed !== undefined) out.push(parsed);
      });
      return out;
    },
  };
}

/** A map with free-form keys (names of routers, header names); keys are kept exactly as written. */
export function record<T>(value: Schema<T>): Schema<Record<string, T>> {
  return {
    expected: 'a map',
    parse(input, path, issues) {
      if (input === null) return {};
      if (typeof input !== 'object' || Array.isArray(input)) {
        return void issues.error(path, `expected a map, got ${describe(input)}`);
      }
      const out: Record<string, T> = {};
      for (const [key, entry] of Object.entries(input)) {
        const parsed = value.parse(entry, join(path, key), issues);
        if (parsed !== undefined) out[key] = parsed;
      }
      return out;
    },
  };
}

/** Options of {@link object}. */
export interface ObjectOptions {
  /** What an unknown key is: an `error` (the default, it is likely a typo) or a `warning`. */
  unknownKeys?: Severity;
  /** Traefik fields this gateway accepts but does not implement: each one present gives this warning. */
  ignored?: Readonly<Record<string, string>>;
  /** Traefik fields this gateway does not implement and cannot safely ignore: each one present is an error. */
  unsupported?: Readonly<Record<string, string>>;
}

/**
 * A map with known fields, matched case-insensitively and returned under their canonical spelling.
 * `null` (a bare `ping:` in YAML) and `true` (a bare `--ping` flag) mean "present, all defaults".
 */
export function object<S extends Shape>(shape: S, options: ObjectOptions = {}): Schema<ObjectOf<S>> {
  const known = new Map(Object.keys(shape).map((key) => [key.toLowerCase(), key]));
  const ignored = new Map(
    Object.entries(options.ignored ?? {}).map(([k, why]) => [k.toLowerCase(), [k, why]]),
  );
  const unsupported = new Map(
    Object.entries(options.unsupported ?? {}).map(([k, why]) => [k.toLowerCase(), [k, why]]),
  );
  return {
    expected: 'a map',
    parse(input, path, issues) {
      const source = input === null || input === true || input === 'true' ? {} : input;
      if (typeof source !== 'object' || source === null || Array.isArray(source)) {
        return void issues.error(path, `expected a map, got ${describe(input)}`);
      }
      const out: Record<string, unknown> = {};
      // Fields given but invalid: their error is reported already, "is required" would only repeat it.
      const given = new Set<string>();
      for (const [rawKey, value] of Object.entries(source)) {
        const key = known.get(rawKey.toLowerCase());
        if (key === undefined) {
          const skip = ignored.get(rawKey.toLowerCase());
          const refuse = unsupported.get(rawKey.toLowerCase());
          if (refuse) issues.error(join(path, refuse[0] ?? rawKey), refuse[1] ?? 'not supported');
          else if (skip) issues.warn(join(path, skip[0] ?? rawKey), skip[1] ?? 'ignored');
          else if (options.unknownKeys === 'warning')
            issues.warn(join(path, rawKey), 'unknown field, ignored');
          else issues.error(join(path, rawKey), 'unknown field');
          continue;
        }
        if (given.has(key)) {
          issues.error(join(path, rawKey), `given twice (field names are case-insensitive)`);
          continue;
        }
        given.add(key);
        const parsed = shape[key]?.parse(value, join(path, key), issues);
        if (parsed !== undefined) out[key] = parsed;
      }
      for (const [key, schema] of Object.entries(shape)) {
        if (key in out || given.has(key)) continue;
        if (schema.isRequired) issues.error(join(path, key), 'is required');
        else if (schema.defaultValue !== undefined) out[key] = structuredClone(schema.defaultValue);
      }
      return out as ObjectOf<S>;
    },
  };
}

/** Marks a field of {@link object} as required: its absence is an error. */
export function required<T>(schema: Schema<T>): Schema<T> & { readonly present: true } {
  return { ...schema, present: true, isRequired: true, parse: schema.parse };
}

/** Gives a field of {@link object} a default used when it is absent. */
export function withDefault<T>(schema: Schema<T>, value: T): Schema<T> & { readonly present: true } {
  return { ...schema, present: true, defaultValue: value, parse: schema.parse };
}

/** An absolute `http:` or `https:` URL. */
export function httpUrl(options: { h2c?: boolean } = {}): Schema<string> {
  return refine(string({ nonEmpty: true }), (value) => {
    try {
      const url = new URL(value);
      // h2c:// (cleartext HTTP/2 with prior knowledge) is Traefik's scheme for servers only.
      return url.protocol === 'http:' || url.protocol === 'https:' || (options.h2c && url.protocol === 'h2c:')
        ? undefined
        : `unsupported scheme ${url.protocol}`;
    } catch {
      return `invalid URL "${value}"`;
    }
  });
}

/** Checks a parsed value further; `check` returns a message for a bad value. */
export function refine<T>(schema: Schema<T>, check: (value: T) => string | undefined): Schema<T> {
  return {
    ...schema,
    parse(value, path, issues) {
      const parsed = schema.parse(value, path, issues);
      if (parsed === undefined) return undefined;
      const problem = check(parsed);
      if (problem !== undefined) return void issues.error(path, problem);
      return parsed;
    },
  };
}
