import { Type } from 'typebox';
import type { AssertionVerifierOptions } from './verifier.ts';

/** A backend's environment variables for verifying assertions; spread them into its env schema. */
export const IdentityAssertionEnv = {
  /** forward-auth's key set; setting it turns verification on. */
  IDENTITY_ASSERTION_JWKS_URL: Type.Optional(Type.String()),
  /** The `iss` forward-auth signs with (its `IDENTITY_ASSERTION_ISSUER`). */
  IDENTITY_ASSERTION_ISSUER: Type.Optional(Type.String()),
  /** This backend's names as the gateway's forwardAuth addresses give them (`?aud=`), comma-separated. */
  IDENTITY_ASSERTION_AUDIENCE: Type.Optional(Type.String()),
};

/** The values of {@link IdentityAssertionEnv}, as `loadEnv` returns them. */
export interface IdentityAssertionVars {
  IDENTITY_ASSERTION_JWKS_URL?: string | undefined;
  IDENTITY_ASSERTION_ISSUER?: string | undefined;
  IDENTITY_ASSERTION_AUDIENCE?: string | undefined;
}

/**
 * Verifier options from the environment, or `null` when verification is off (no JWKS URL). Problems are pushed
 * onto `problems`, one per variable, for the service's start-up error.
 */
export function assertionVerifierOptions(
  vars: IdentityAssertionVars,
  problems: string[],
): AssertionVerifierOptions | null {
  const url = vars.IDENTITY_ASSERTION_JWKS_URL;
  if (url === undefined) {
    const orphans = (['IDENTITY_ASSERTION_ISSUER', 'IDENTITY_ASSERTION_AUDIENCE'] as const).filter(
      (name) => vars[name] !== undefined,
    );
    if (orphans.length > 0) problems.push(`IDENTITY_ASSERTION_JWKS_URL: required by ${orphans.join(', ')}`);
    return null;
  }
  const before = problems.length;
  const jwksUrl = URL.canParse(url) ? new URL(url) : null;
  if (jwksUrl === null || !/^https?:$/.test(jwksUrl.protocol)) {
    problems.push(
      `IDENTITY_ASSERTION_JWKS_URL: must be an absolute http(s) URL (got ${JSON.stringify(url)})`,
    );
  }
  const issuer = vars.IDENTITY_ASSERTION_ISSUER;
  if (issuer === undefined)
    problems.push('IDENTITY_ASSERTION_ISSUER: required with IDENTITY_ASSERTION_JWKS_URL');
  const audiences = (vars.IDENTITY_ASSERTION_AUDIENCE ?? '')
    .split(',')
    .map((aud) => aud.trim())
    .filter((aud) => aud !== '');
  if (audiences.length === 0) {
    problems.push(
      "IDENTITY_ASSERTION_AUDIENCE: required with IDENTITY_ASSERTION_JWKS_URL (this backend's name)",
    );
  }
  if (problems.length > before || jwksUrl === null || issuer === undefined) return null;
  return { jwksUrl, issuer, audiences };
}
