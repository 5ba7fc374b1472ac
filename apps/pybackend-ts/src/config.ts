import {
  type AssertionVerifierOptions,
  assertionVerifierOptions,
  IdentityAssertionEnv,
} from '@gateway-pattern/identity-assertion';
import { EnvError, LogLevel, loadEnv } from '@gateway-pattern/service-kit';
import { type Static, Type } from 'typebox';

/** Service name used in logs and start-up errors. */
export const SERVICE_NAME = 'pybackend-ts';

/** Environment variables of pybackend-ts, with their defaults. */
export const EnvSchema = Type.Object({
  PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 8101 }),
  HOST: Type.String({ minLength: 1, default: '127.0.0.1' }),
  LOG_LEVEL: LogLevel,
  /** The API's title is `${APP_PREFIX} API`, as in the original service. */
  APP_PREFIX: Type.String({ minLength: 1, default: 'Python Backend' }),
  /** Base URL of the model service; `/admission` is appended. */
  MODEL_SERVICE_URL: Type.String({ default: 'http://127.0.0.1:8102' }),
  /** Deadline for one whole call to the model service (connect, headers and body). */
  UPSTREAM_TIMEOUT_MS: Type.Integer({ minimum: 1, maximum: 600_000, default: 5000 }),
  /**
   * Verify forward-auth's signed identity (X-Auth-Assertion) on every request but `GET /` and the documentation
   * (`/openapi.json`, `/docs`), when set.
   */
  ...IdentityAssertionEnv,
});

/** The validated environment. */
export type Env = Static<typeof EnvSchema>;

/** Everything pybackend-ts needs to run, parsed from the environment. */
export interface PybackendConfig {
  host: string;
  port: number;
  logLevel: string;
  appPrefix: string;
  modelServiceUrl: URL;
  upstreamTimeoutMs: number;
  /** `null`: identity assertions are not checked. */
  identityAssertion: AssertionVerifierOptions | null;
}

/** Accepts only an absolute http(s) URL without query or fragment, since paths are appended to it. */
function parseBaseUrl(value: string): URL | null {
  if (!URL.canParse(value)) return null;
  const url = new URL(value);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  if (url.search !== '' || url.hash !== '' || url.username !== '' || url.password !== '') return null;
  return url;
}

/** Reads and validates the environment; throws {@link EnvError} naming every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): PybackendConfig {
  const vars = loadEnv(SERVICE_NAME, EnvSchema, env);
  const problems: string[] = [];
  const modelServiceUrl = parseBaseUrl(vars.MODEL_SERVICE_URL);
  if (modelServiceUrl === null) {
    problems.push(
      `MODEL_SERVICE_URL: must be an http(s) URL without query, fragment or credentials (got ${JSON.stringify(vars.MODEL_SERVICE_URL)})`,
    );
  }
  const identityAssertion = assertionVerifierOptions(vars, problems);
  if (problems.length > 0 || modelServiceUrl === null) throw new EnvError(SERVICE_NAME, problems);
  return {
    host: vars.HOST,
    port: vars.PORT,
    logLevel: vars.LOG_LEVEL,
    appPrefix: vars.APP_PREFIX,
    modelServiceUrl,
    upstreamTimeoutMs: vars.UPSTREAM_TIMEOUT_MS,
    identityAssertion,
  };
}
