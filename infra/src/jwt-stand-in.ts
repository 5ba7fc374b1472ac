/**
 * Real Traefik has no JWT middleware. Where it serves `/add` (compose's traefik profile, Kubernetes), the gateway's
 * plugin-shaped `adder-jwt` (infra/gateway/dynamic/adder.yml) is replaced by a forwardAuth of the same name to a
 * forward-auth instance that runs in JWT mode only. This module states both policies in one shape, each read by
 * its own app's parser, so the checks can require the stand-in to enforce what the file does, and name the few
 * options it cannot reproduce.
 */

import { loadConfig as loadForwardAuthConfig } from '@gateway-pattern/forward-auth/src/config.ts';
import { jwtSchema } from '@gateway-pattern/gateway/src/config/jwt-schema.ts';
import { Issues } from '@gateway-pattern/gateway/src/config/schema.ts';

/** What a token must satisfy, whichever component checks it. */
export interface JwtPolicy {
  readonly issuer: string;
  /** Where the keys come from; undefined: the issuer's discovery document. */
  readonly jwksUrl: string | undefined;
  readonly audiences: readonly string[];
  readonly algorithms: readonly string[];
  readonly clockToleranceSeconds: number;
  readonly requiredClaims: readonly { name: string; match: 'all' | 'any'; values: readonly string[] }[];
}

/** The configuration cannot be read as a JWT policy (invalid, or not the shape a stand-in can take). */
export class JwtPolicyError extends Error {
  readonly code = 'JWT_POLICY_UNREADABLE';
}

/**
 * Options of the `jwt` plugin that forward-auth's JWT mode does not reproduce, each with what happens instead.
 * The stand-in checks compare this list with the plugin's options, so a new option fails them until it is listed.
 */
export const NOT_REPRODUCED: Readonly<Record<string, string>> = {
  typ: 'forward-auth does not check the typ header (identity writes at+jwt; any typ passes)',
  'claimHeaders.client':
    'the client id reaches the adder as X-Auth-Client (an authResponseHeader), not as `client`',
};

/** Options that make up {@link JwtPolicy}, which the stand-in must match. */
const POLICY_OPTIONS = new Set([
  'issuer',
  'jwksUrl',
  'audiences',
  'algorithms',
  'clockTolerance',
  'requiredClaims',
]);

/** Options that tune the plugin's key fetching only: not part of what a token must satisfy. */
const KEY_FETCHING = new Set(['jwksTimeout', 'cooldown', 'cacheMaxAge']);

/**
 * The policy of a `plugin: { jwt: ... }` middleware (the options, as the file provider renders them), read with
 * the gateway's own schema; `notReproduced` lists the given options a forward-auth stand-in does not enforce
 * (compare it with {@link NOT_REPRODUCED}).
 */
export function pluginPolicy(options: Readonly<Record<string, unknown>>): {
  policy: JwtPolicy;
  notReproduced: string[];
} {
  const issues = new Issues();
  const parsed = jwtSchema.parse(options, 'plugin.jwt', issues);
  if (parsed === undefined || issues.hasErrors)
    throw new JwtPolicyError(`invalid jwt options: ${issues.lines('error').join('; ')}`);
  const notReproduced: string[] = [];
  for (const key of Object.keys(options)) {
    if (POLICY_OPTIONS.has(key) || KEY_FETCHING.has(key)) continue;
    // Traefik's forwardAuth passes Authorization on to the backend, as the plugin does by default.
    if (key === 'forwardAuthorization' && parsed.forwardAuthorization) continue;
    if (key === 'claimHeaders')
      notReproduced.push(...Object.keys(parsed.claimHeaders).map((header) => `claimHeaders.${header}`));
    else notReproduced.push(key);
  }
  return {
    policy: {
      issuer: parsed.issuer,
      jwksUrl: parsed.jwksUrl,
      audiences: parsed.audiences,
      algorithms: parsed.algorithms,
      clockToleranceSeconds: parsed.clockTolerance / 1000,
      requiredClaims: Object.entries(parsed.requiredClaims).map(([name, rule]) => ({
        name,
        match: rule.anyOf !== undefined ? ('any' as const) : ('all' as const),
        values: rule.anyOf ?? rule.allOf ?? [],
      })),
    },
    notReproduced: notReproduced.sort(),
  };
}

/**
 * The policy of a forward-auth that checks JWTs and nothing else, read from its environment with forward-auth's own
 * parser. Throws when the environment is invalid, configures several issuers, or would also let a static token or
 * a browser session through (then it would not stand in for a JWT check alone).
 */
export function forwardAuthPolicy(env: Readonly<Record<string, string>>): JwtPolicy {
  let config: ReturnType<typeof loadForwardAuthConfig>;
  try {
    config = loadForwardAuthConfig({ ...env });
  } catch (err) {
    throw new JwtPolicyError(`forward-auth would not start: ${(err as Error).message}`);
  }
  if (config.staticTokens.length > 0) throw new JwtPolicyError('it also accepts static tokens');
  if (config.login !== null) throw new JwtPolicyError('it also signs browsers in (OIDC_ISSUER is set)');
  const [issuer, ...others] = config.jwtIssuers;
  if (issuer === undefined) throw new JwtPolicyError('JWT mode is off (no JWT_ISSUER)');
  if (others.length > 0) throw new JwtPolicyError('it trusts several issuers');
  return {
    issuer: issuer.issuer,
    jwksUrl: issuer.jwksUrl ?? undefined,
    audiences: issuer.audiences,
    algorithms: issuer.algorithms,
    clockToleranceSeconds: issuer.clockTolerance,
    requiredClaims: issuer.requiredClaims.map(({ name, match, values }) => ({ name, match, values })),
  };
}
