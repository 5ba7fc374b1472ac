import type { KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { AssertionKeyError, signingKeyFromPem } from '@gateway-pattern/identity-assertion';
import { EnvError, LogLevel, loadEnv } from '@gateway-pattern/service-kit';
import { type Static, Type } from 'typebox';
import { IssuerSpecError, type JwtIssuer, parseIssuers } from './jwt/issuers.ts';
import { parseStaticTokens, type StaticToken, StaticTokenSpecError } from './tokens/static-tokens.ts';

/** Service name used in logs and start-up errors. */
export const SERVICE_NAME = 'forward-auth';

/** The public base URL when `PUBLIC_URL` is unset: the gateway's `web` entrypoint of the local profile. */
export const DEFAULT_PUBLIC_URL = 'http://localhost:8000';

/** Where a browser lands after signing out, unless `OIDC_POST_LOGOUT_URL` says otherwise. */
export const SIGNED_OUT_PATH = '/oauth2/signed_out';

/** Environment variables of forward-auth, with their defaults. */
export const EnvSchema = Type.Object({
  PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 4181 }),
  HOST: Type.String({ minLength: 1, default: '127.0.0.1' }),
  LOG_LEVEL: LogLevel,
  /** `token` or `token:principal`, comma-separated. Empty by default: no static token is accepted. */
  STATIC_TOKENS: Type.String({ default: '' }),
  /** Trusted JWT issuers as a JSON array; or the single-issuer variables below. */
  JWT_ISSUERS: Type.Optional(Type.String()),
  JWT_ISSUER: Type.Optional(Type.String()),
  JWT_JWKS_URL: Type.Optional(Type.String()),
  JWT_AUDIENCES: Type.Optional(Type.String()),
  JWT_ALGORITHMS: Type.Optional(Type.String()),
  JWT_CLOCK_TOLERANCE: Type.Optional(Type.Number({ minimum: 0, maximum: 600 })),
  JWT_REQUIRED_ROLES: Type.Optional(Type.String()),
  JWT_REQUIRED_ROLES_MATCH: Type.Optional(Type.Union([Type.Literal('all'), Type.Literal('any')])),
  /** The gateway's public origin: login redirects, the callback URL and cookie security follow it. */
  PUBLIC_URL: Type.String({ default: DEFAULT_PUBLIC_URL }),
  /** Further origins a browser may be returned to after login, comma-separated. */
  ALLOWED_RETURN_ORIGINS: Type.String({ default: '' }),
  /** Browser login is on when set. */
  OIDC_ISSUER: Type.Optional(Type.String()),
  OIDC_INTERNAL_URL: Type.Optional(Type.String()),
  OIDC_CLIENT_ID: Type.Optional(Type.String()),
  OIDC_CLIENT_SECRET: Type.Optional(Type.String()),
  OIDC_SCOPES: Type.String({ default: 'openid email profile roles' }),
  OIDC_POST_LOGOUT_URL: Type.Optional(Type.String()),
  /** 32-byte keys, base64, comma-separated: the first encrypts, all decrypt. */
  COOKIE_SECRET: Type.Optional(Type.String()),
  SESSION_MAX_AGE: Type.Integer({ minimum: 60, maximum: 30 * 24 * 3600, default: 12 * 3600 }),
  /** `iss` of the identity assertions; backends pin it. */
  IDENTITY_ASSERTION_ISSUER: Type.String({ minLength: 1, maxLength: 256, default: 'forward-auth' }),
  /** Lifetime of an identity assertion, in seconds: one request and its relays. */
  IDENTITY_ASSERTION_TTL: Type.Integer({ minimum: 5, maximum: 600, default: 60 }),
  /** EC P-256 private key (PEM) signing the assertions; unset: a key made at start. Replicas must share one. */
  IDENTITY_ASSERTION_KEY_FILE: Type.Optional(Type.String({ minLength: 1 })),
});

/** The validated environment. */
export type Env = Static<typeof EnvSchema>;

/** Browser login through an OpenID provider. */
export interface LoginConfig {
  issuer: string;
  internalUrl: string | null;
  clientId: string;
  clientSecret: string | null;
  /** Space-separated scopes. */
  scope: string;
  /** Session cookie keys, or `null` to generate one at start (sessions then end with the process). */
  cookieKeys: Buffer[] | null;
  /** Session lifetime, in seconds. */
  sessionMaxAge: number;
  postLogoutRedirectUrl: string;
}

/** Signing of identity assertions (`X-Auth-Assertion`). */
export interface AssertionConfig {
  issuer: string;
  ttlSeconds: number;
  /** The key from `IDENTITY_ASSERTION_KEY_FILE`, or `null` to make one at start. */
  privateKey: KeyObject | null;
}

/** Everything forward-auth needs to run, parsed from the environment. */
export interface ForwardAuthConfig {
  host: string;
  port: number;
  logLevel: string;
  staticTokens: StaticToken[];
  jwtIssuers: JwtIssuer[];
  /** Origin of the gateway as browsers see it, e.g. `http://localhost:8000`. */
  publicUrl: string;
  returnOrigins: string[];
  /** `null`: browser login is off. */
  login: LoginConfig | null;
  assertion: AssertionConfig;
}

const list = (value: string): string[] =>
  value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');

/** `value` as a bare origin (`scheme://host[:port]`), or a problem. */
function origin(name: string, value: string): { origin: string } | { problem: string } {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return { problem: `${name}: must be an absolute http(s) URL (got ${JSON.stringify(value)})` };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    return { problem: `${name}: must be http or https` };
  if (
    url.pathname !== '/' ||
    url.search !== '' ||
    url.hash !== '' ||
    url.username !== '' ||
    url.password !== ''
  ) {
    return {
      problem: `${name}: must be an origin only, without path, query or credentials (got ${JSON.stringify(value)})`,
    };
  }
  return { origin: url.origin };
}

function httpUrl(name: string, value: string): string | null {
  try {
    const url = new URL(value);
    if (url.protocol === 'http:' || url.protocol === 'https:') return null;
  } catch {}
  return `${name}: must be an absolute http(s) URL (got ${JSON.stringify(value)})`;
}

/** Decodes `COOKIE_SECRET`; problems never quote the keys. */
function cookieKeys(spec: string, problems: string[]): Buffer[] {
  const keys: Buffer[] = [];
  list(spec).forEach((entry, index) => {
    const key = /^[A-Za-z0-9+/_-]+={0,2}$/.test(entry) ? Buffer.from(entry, 'base64') : Buffer.alloc(0);
    if (key.length !== 32) {
      problems.push(`COOKIE_SECRET: key ${index + 1} must be 32 bytes in base64 (openssl rand -base64 32)`);
    } else {
      keys.push(key);
    }
  });
  return keys;
}

function loginConfig(vars: Env, publicUrl: string, problems: string[]): LoginConfig | null {
  // Checked even with login off, so a bad key is found before login is turned on.
  const keys = vars.COOKIE_SECRET === undefined ? null : cookieKeys(vars.COOKIE_SECRET, problems);
  if (vars.OIDC_ISSUER === undefined) {
    const orphans = (
      ['OIDC_INTERNAL_URL', 'OIDC_CLIENT_ID', 'OIDC_CLIENT_SECRET', 'OIDC_POST_LOGOUT_URL'] as const
    ).filter((name) => vars[name] !== undefined);
    if (orphans.length > 0) problems.push(`OIDC_ISSUER: required by ${orphans.join(', ')}`);
    return null;
  }
  for (const [name, value] of [
    ['OIDC_ISSUER', vars.OIDC_ISSUER],
    ['OIDC_INTERNAL_URL', vars.OIDC_INTERNAL_URL],
    ['OIDC_POST_LOGOUT_URL', vars.OIDC_POST_LOGOUT_URL],
  ] as const) {
    const problem = value === undefined ? null : httpUrl(name, value);
    if (problem) problems.push(problem);
  }
  if (vars.OIDC_CLIENT_ID === undefined) problems.push('OIDC_CLIENT_ID: required when OIDC_ISSUER is set');
  if (!vars.OIDC_SCOPES.split(' ').includes('openid')) problems.push('OIDC_SCOPES: must include openid');
  return {
    issuer: vars.OIDC_ISSUER,
    internalUrl: vars.OIDC_INTERNAL_URL ?? null,
    clientId: vars.OIDC_CLIENT_ID ?? '',
    clientSecret: vars.OIDC_CLIENT_SECRET ?? null,
    scope: vars.OIDC_SCOPES,
    cookieKeys: keys,
    sessionMaxAge: vars.SESSION_MAX_AGE,
    postLogoutRedirectUrl: vars.OIDC_POST_LOGOUT_URL ?? `${publicUrl}${SIGNED_OUT_PATH}`,
  };
}

/** The assertion signing key of `IDENTITY_ASSERTION_KEY_FILE`; problems name the file, never the key. */
function assertionKey(path: string | undefined, problems: string[]): KeyObject | null {
  if (path === undefined) return null;
  let pem: string;
  try {
    pem = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'unreadable';
    problems.push(`IDENTITY_ASSERTION_KEY_FILE: cannot read ${path} (${code})`);
    return null;
  }
  try {
    return signingKeyFromPem(pem);
  } catch (err) {
    if (!(err instanceof AssertionKeyError)) throw err;
    problems.push(`IDENTITY_ASSERTION_KEY_FILE: ${path}: ${err.message}`);
    return null;
  }
}

/** Reads and validates the environment; throws {@link EnvError} naming every bad variable or entry. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): ForwardAuthConfig {
  const vars = loadEnv(SERVICE_NAME, EnvSchema, env);
  const problems: string[] = [];

  let staticTokens: StaticToken[] = [];
  try {
    staticTokens = parseStaticTokens(vars.STATIC_TOKENS);
  } catch (err) {
    if (!(err instanceof StaticTokenSpecError)) throw err;
    problems.push(...err.problems.map((p) => `STATIC_TOKENS: ${p}`));
  }

  let jwtIssuers: JwtIssuer[] = [];
  try {
    jwtIssuers = parseIssuers(vars.JWT_ISSUERS, {
      JWT_ISSUER: vars.JWT_ISSUER,
      JWT_JWKS_URL: vars.JWT_JWKS_URL,
      JWT_AUDIENCES: vars.JWT_AUDIENCES,
      JWT_ALGORITHMS: vars.JWT_ALGORITHMS,
      JWT_CLOCK_TOLERANCE: vars.JWT_CLOCK_TOLERANCE,
      JWT_REQUIRED_ROLES: vars.JWT_REQUIRED_ROLES,
      JWT_REQUIRED_ROLES_MATCH: vars.JWT_REQUIRED_ROLES_MATCH,
    });
  } catch (err) {
    if (!(err instanceof IssuerSpecError)) throw err;
    problems.push(...err.problems);
  }

  const publicOrigin = origin('PUBLIC_URL', vars.PUBLIC_URL.replace(/\/$/, ''));
  const publicUrl = 'origin' in publicOrigin ? publicOrigin.origin : DEFAULT_PUBLIC_URL;
  if ('problem' in publicOrigin) problems.push(publicOrigin.problem);
  const returnOrigins: string[] = [];
  for (const entry of list(vars.ALLOWED_RETURN_ORIGINS)) {
    const parsed = origin('ALLOWED_RETURN_ORIGINS', entry.replace(/\/$/, ''));
    if ('origin' in parsed) returnOrigins.push(parsed.origin);
    else problems.push(parsed.problem);
  }

  const login = loginConfig(vars, publicUrl, problems);
  const privateKey = assertionKey(vars.IDENTITY_ASSERTION_KEY_FILE, problems);
  if (problems.length > 0) throw new EnvError(SERVICE_NAME, problems);
  return {
    host: vars.HOST,
    port: vars.PORT,
    logLevel: vars.LOG_LEVEL,
    staticTokens,
    jwtIssuers,
    publicUrl,
    returnOrigins,
    login,
    assertion: {
      issuer: vars.IDENTITY_ASSERTION_ISSUER,
      ttlSeconds: vars.IDENTITY_ASSERTION_TTL,
      privateKey,
    },
  };
}
