import { type Static, type TObject, type TSchema, Type } from 'typebox';
import { Value } from 'typebox/value';
import { EnvError } from './errors.ts';

/**
 * Reads configuration from environment variables, validated against a TypeBox object schema.
 * Strings are converted to the schema's types (`"8101"` → `8101`, `"true"` → `true`) and defaults are applied,
 * so every service starts from sane local defaults and fails fast, naming each bad variable, otherwise.
 */
export function loadEnv<T extends TObject>(
  service: string,
  schema: T,
  env: NodeJS.ProcessEnv = process.env,
): Static<T> {
  const picked: Record<string, unknown> = {};
  for (const key of Object.keys(schema.properties)) {
    const value = env[key];
    if (value !== undefined && value !== '') picked[key] = value;
  }
  const withDefaults = Value.Default(schema, picked);
  const converted = Value.Convert(schema, withDefaults) as Record<string, unknown>;
  // Each variable is checked on its own, so every bad one is named once, however its schema is built.
  const problems: string[] = [];
  for (const [key, property] of Object.entries(schema.properties as Record<string, TSchema>)) {
    const value = converted[key];
    if (value === undefined && !schema.required?.includes(key)) continue;
    if (Value.Check(property, value)) continue;
    problems.push(`${key}: ${describeExpected(property, value)} (got ${JSON.stringify(env[key] ?? null)})`);
  }
  if (problems.length > 0) throw new EnvError(service, problems);
  return converted as Static<T>;
}

/** What a variable should have been: the allowed values of a union of literals, else the first error. */
function describeExpected(property: TSchema, value: unknown): string {
  const members = (property as { anyOf?: unknown[] }).anyOf;
  const literals = members?.map((member) => (member as { const?: unknown }).const);
  if (literals && literals.length > 0 && literals.every((literal) => literal !== undefined)) {
    return `must be one of ${literals.map((literal) => String(literal)).join(', ')}`;
  }
  const first = Value.Errors(property, value)[0];
  return first?.message ?? 'is invalid';
}

/** Pino's level names, accepted by every service's `LOG_LEVEL`. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** Env schema for `LOG_LEVEL`: one of {@link LOG_LEVELS}, default `info`, so a typo fails at start, not silently. */
export const LogLevel = Type.Union(
  LOG_LEVELS.map((level) => Type.Literal(level)),
  { default: 'info' },
);
