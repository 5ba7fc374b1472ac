import { type Static, type TObject, Type } from 'typebox';
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
  const converted = Value.Convert(schema, withDefaults);
  if (!Value.Check(schema, converted)) {
    const problems = Value.Errors(schema, converted).map((e) => {
      const name = e.instancePath.replace(/^\//, '') || '(root)';
      return `${name}: ${e.message} (got ${JSON.stringify(env[name] ?? null)})`;
    });
    throw new EnvError(service, problems);
  }
  return converted as Static<T>;
}

/** Pino's level names, accepted by every service's `LOG_LEVEL`. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** Env schema for `LOG_LEVEL`: one of {@link LOG_LEVELS}, default `info`, so a typo fails at start, not silently. */
export const LogLevel = Type.Union(
  LOG_LEVELS.map((level) => Type.Literal(level)),
  { default: 'info' },
);
