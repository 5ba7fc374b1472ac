import { resolve } from 'node:path';
import { EnvError, LogLevel, loadEnv } from '@gateway-pattern/service-kit';
import { type Static, Type } from 'typebox';

/** Service name used in logs and start-up errors. */
export const SERVICE_NAME = 'identity';

const APP_DIR = resolve(import.meta.dirname, '..');

/** The demo directory of the local profile, `infra/identity/identity.yml`. */
export const DEFAULT_IDENTITY_CONFIG = resolve(APP_DIR, '../../infra/identity/identity.yml');

/** Where keys are kept when `KEYS_DIR` is unset: the app's git-ignored `var/`. */
export const DEFAULT_KEYS_DIR = resolve(APP_DIR, 'var');

/**
 * Cookie-signing key of the local profile. It is published, so anyone can forge this provider's cookies where it
 * is used: set `COOKIE_KEYS` anywhere else.
 */
export const DEMO_COOKIE_KEY = 'demo-cookie-key-local-profile-only-change-me';

/** Environment variables of identity, with their defaults. */
export const EnvSchema = Type.Object({
  PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 4444 }),
  HOST: Type.String({ minLength: 1, default: '127.0.0.1' }),
  LOG_LEVEL: LogLevel,
  /** The issuer identifier: exactly what browsers, clients and token verifiers use to reach this provider. */
  ISSUER: Type.String({ minLength: 1, default: 'http://localhost:4444' }),
  /** Resources, clients and users (YAML, or JSON by extension). */
  IDENTITY_CONFIG: Type.String({ minLength: 1, default: DEFAULT_IDENTITY_CONFIG }),
  /** Where the signing keys (`jwks.json`, private) are kept; made on first start. */
  KEYS_DIR: Type.String({ minLength: 1, default: DEFAULT_KEYS_DIR }),
  /** Cookie-signing keys, comma-separated; the first signs, all verify (prepend a new one to rotate). */
  COOKIE_KEYS: Type.String({ minLength: 1, default: DEMO_COOKIE_KEY }),
  /** Trust `X-Forwarded-Proto` and `X-Forwarded-Host` from a proxy in front (TLS offloading, a gateway). */
  TRUST_PROXY: Type.Boolean({ default: false }),
});

/** The validated environment. */
export type Env = Static<typeof EnvSchema>;

/** Everything identity needs to start, from the environment. */
export interface IdentityConfig {
  host: string;
  port: number;
  logLevel: string;
  issuer: string;
  identityConfig: string;
  keysDir: string;
  cookieKeys: string[];
  /** Whether `cookieKeys` is the published demo key. */
  demoCookieKeys: boolean;
  trustProxy: boolean;
}

/**
 * Why an issuer identifier is unusable, or `undefined`. It must be an origin, `scheme://host[:port]`: this app serves
 * the provider at the root, and a trailing `/` would make every token's `iss` differ from what verifiers configure.
 */
export function issuerProblem(issuer: string): string | undefined {
  const url = URL.parse(issuer);
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) return 'must be an http(s) URL';
  if (issuer.endsWith('/')) return "must not end with '/' (tokens' iss must match it byte for byte)";
  if (url.origin !== issuer)
    return 'must be an origin, scheme://host[:port], without path, query or fragment';
  return undefined;
}

/** Reads and validates the environment; throws {@link EnvError} naming every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): IdentityConfig {
  const vars = loadEnv(SERVICE_NAME, EnvSchema, env);
  const problems: string[] = [];
  const issuer = issuerProblem(vars.ISSUER);
  if (issuer) problems.push(`ISSUER: ${issuer} (got ${JSON.stringify(vars.ISSUER)})`);
  const cookieKeys = vars.COOKIE_KEYS.split(',').map((key) => key.trim());
  if (cookieKeys.some((key) => key.length < 16)) {
    problems.push('COOKIE_KEYS: every key must have at least 16 characters');
  }
  if (problems.length > 0) throw new EnvError(SERVICE_NAME, problems);
  return {
    host: vars.HOST,
    port: vars.PORT,
    logLevel: vars.LOG_LEVEL,
    issuer: vars.ISSUER,
    identityConfig: resolve(vars.IDENTITY_CONFIG),
    keysDir: resolve(vars.KEYS_DIR),
    cookieKeys,
    demoCookieKeys: cookieKeys.includes(DEMO_COOKIE_KEY),
    trustProxy: vars.TRUST_PROXY,
  };
}
