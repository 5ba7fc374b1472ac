import { EnvError, LogLevel, loadEnv } from '@gateway-pattern/service-kit';
import { type Static, Type } from 'typebox';
import { parseStaticTokens, type StaticToken, StaticTokenSpecError } from './tokens/static-tokens.ts';

/** Service name used in logs and start-up errors. */
export const SERVICE_NAME = 'forward-auth';

/** Environment variables of forward-auth, with their defaults. */
export const EnvSchema = Type.Object({
  PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 4181 }),
  HOST: Type.String({ minLength: 1, default: '127.0.0.1' }),
  LOG_LEVEL: LogLevel,
  /** `token` or `token:principal`, comma-separated. Empty by default: no static token is accepted. */
  STATIC_TOKENS: Type.String({ default: '' }),
});

/** The validated environment. */
export type Env = Static<typeof EnvSchema>;

/** Everything forward-auth needs to run, parsed from the environment. */
export interface ForwardAuthConfig {
  host: string;
  port: number;
  logLevel: string;
  staticTokens: StaticToken[];
}

/** Reads and validates the environment; throws {@link EnvError} naming every bad variable or entry. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): ForwardAuthConfig {
  const vars = loadEnv(SERVICE_NAME, EnvSchema, env);
  let staticTokens: StaticToken[];
  try {
    staticTokens = parseStaticTokens(vars.STATIC_TOKENS);
  } catch (err) {
    if (err instanceof StaticTokenSpecError) {
      throw new EnvError(
        SERVICE_NAME,
        err.problems.map((p) => `STATIC_TOKENS: ${p}`),
      );
    }
    throw err;
  }
  return { host: vars.HOST, port: vars.PORT, logLevel: vars.LOG_LEVEL, staticTokens };
}
