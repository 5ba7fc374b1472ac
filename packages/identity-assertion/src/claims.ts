import type { IdentityAssertion } from './contract.ts';
import { InvalidAssertionError } from './errors.ts';

/** What a verifier accepts: its pinned issuer, its names, and the clock skew it allows. */
export interface ClaimRules {
  issuer: string;
  audiences: readonly string[];
  toleranceSeconds: number;
}

/** Registered claims every assertion carries, in the order a missing one is reported (as jose reported them). */
const REQUIRED_CLAIMS = ['iss', 'aud', 'jti', 'exp', 'iat', 'sub'] as const;

/** Longest lifetime an assertion may claim: forward-auth's own upper bound. */
const MAX_LIFETIME_SECONDS = 3600;

const isStringArray = (value: unknown): value is string[] =>
  Array.isArray(value) && value.every((item) => typeof item === 'string');

/**
 * A signed payload's claims checked as jose's `jwtVerify` checks them (RFC 7519 section 4.1, with the same
 * boundaries: expired once `exp <= now - tolerance`, not yet valid once `nbf > now + tolerance`), then for shape
 * (a valid signature over wrong types is still refused) and for time: an `iat` in the future, or a lifetime over
 * forward-auth's bound, is not one it signs. `nowSeconds` is whole seconds since the epoch.
 */
export function assertionOf(
  claims: Readonly<Record<string, unknown>>,
  rules: ClaimRules,
  nowSeconds: number,
): IdentityAssertion {
  for (const name of REQUIRED_CLAIMS) {
    if (!Object.hasOwn(claims, name)) throw new InvalidAssertionError(`the ${name} claim is required`);
  }
  const { iss, aud, sub, iat, nbf, exp, jti, roles, email, client } = claims;
  if (iss !== rules.issuer) throw new InvalidAssertionError('issuer not accepted');
  const forUs =
    typeof aud === 'string'
      ? rules.audiences.includes(aud)
      : Array.isArray(aud) && rules.audiences.some((name) => aud.includes(name));
  if (!forUs) throw new InvalidAssertionError('audience not accepted');
  if (typeof iat !== 'number') throw new InvalidAssertionError('the iat claim is invalid');
  if (nbf !== undefined) {
    if (typeof nbf !== 'number') throw new InvalidAssertionError('the nbf claim is invalid');
    if (nbf > nowSeconds + rules.toleranceSeconds) throw new InvalidAssertionError('not yet valid');
  }
  if (typeof exp !== 'number') throw new InvalidAssertionError('the exp claim is invalid');
  if (exp <= nowSeconds - rules.toleranceSeconds) throw new InvalidAssertionError('expired');
  if (
    typeof iss !== 'string' ||
    !(typeof aud === 'string' || isStringArray(aud)) ||
    typeof sub !== 'string' ||
    sub === '' ||
    typeof jti !== 'string' ||
    !isStringArray(roles) ||
    (email !== undefined && typeof email !== 'string') ||
    (client !== undefined && typeof client !== 'string')
  ) {
    throw new InvalidAssertionError('claims of the wrong type');
  }
  if (iat > nowSeconds + rules.toleranceSeconds) throw new InvalidAssertionError('not yet valid');
  if (exp - iat > MAX_LIFETIME_SECONDS) throw new InvalidAssertionError('lifetime too long');
  return {
    iss,
    aud,
    sub,
    roles,
    ...(email === undefined ? {} : { email }),
    ...(client === undefined ? {} : { client }),
    iat,
    exp,
    jti,
  };
}
