import { hash } from 'node:crypto';
import { createRemoteJWKSet, errors, type JWTPayload, jwtVerify } from 'jose';
import { ASSERTION_ALGORITHM, type IdentityAssertion } from './contract.ts';
import { AssertionKeysUnavailableError, InvalidAssertionError } from './errors.ts';

/** Options of {@link AssertionVerifier}. */
export interface AssertionVerifierOptions {
  /** forward-auth's key set, e.g. `http://127.0.0.1:4181/.well-known/jwks.json`. */
  jwksUrl: URL;
  /** The `iss` forward-auth signs with, byte for byte. */
  issuer: string;
  /** This backend's names; an assertion's `aud` must contain one. */
  audiences: readonly string[];
  /** Seconds of clock skew allowed on `iat` and `exp` (0 to 60). Default 5. */
  clockToleranceSeconds?: number;
  /** Key fetching: timeout (default 5 s), cooldown between refetches for an unknown `kid` (default 5 s), cache age (default 10 min). */
  jwks?: { timeoutMs?: number; cooldownMs?: number; cacheMaxAgeMs?: number };
}

/** Why a jose error refuses an assertion, as a short reason for the 401 detail. */
function reasonOf(err: errors.JOSEError): string {
  if (err instanceof errors.JWTExpired) return 'expired';
  if (err instanceof errors.JWTClaimValidationFailed) {
    if (err.reason === 'missing') return `the ${err.claim} claim is required`;
    if (err.claim === 'iss') return 'issuer not accepted';
    if (err.claim === 'aud') return 'audience not accepted';
    if (err.claim === 'iat' || err.claim === 'nbf') return 'not yet valid';
    return `the ${err.claim} claim is invalid`;
  }
  switch (err.code) {
    case 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED':
      return 'signature invalid';
    case 'ERR_JOSE_ALG_NOT_ALLOWED':
    case 'ERR_JOSE_NOT_SUPPORTED':
      return 'algorithm not allowed';
    case 'ERR_JWKS_NO_MATCHING_KEY':
    case 'ERR_JWKS_MULTIPLE_MATCHING_KEYS':
      return 'no key of the issuer matches';
    default:
      return 'malformed';
  }
}

/** jose's failures to get the key set, as opposed to failures of the token. */
const KEY_FETCH_CODES = new Set(['ERR_JWKS_TIMEOUT', 'ERR_JWKS_INVALID', 'ERR_JOSE_GENERIC']);

const isStringArray = (value: unknown): value is string[] =>
  Array.isArray(value) && value.every((item) => typeof item === 'string');

/** Longest lifetime an assertion may claim: forward-auth's own upper bound. */
const MAX_LIFETIME_SECONDS = 3600;

/**
 * The assertion's own claims, checked for shape (a valid signature over wrong types is still refused) and for
 * time: jose does not refuse an `iat` in the future, and a lifetime over forward-auth's bound is not one it signs.
 */
function assertionOf(payload: JWTPayload, toleranceSeconds: number): IdentityAssertion {
  const { iss, aud, sub, iat, exp, jti, roles, email, client } = payload as Record<string, unknown>;
  if (
    typeof iss !== 'string' ||
    !(typeof aud === 'string' || isStringArray(aud)) ||
    typeof sub !== 'string' ||
    sub === '' ||
    typeof iat !== 'number' ||
    typeof exp !== 'number' ||
    typeof jti !== 'string' ||
    !isStringArray(roles) ||
    (email !== undefined && typeof email !== 'string') ||
    (client !== undefined && typeof client !== 'string')
  ) {
    throw new InvalidAssertionError('claims of the wrong type');
  }
  if (iat > Date.now() / 1000 + toleranceSeconds) throw new InvalidAssertionError('not yet valid');
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

/** Assertions remembered as verified at most (one per user and forwardAuth cache period, in practice). */
const VERIFIED_ENTRIES = 1000;

/**
 * Checks identity assertions against forward-auth's published keys (jose's remote JWKS: fetched on first use,
 * cached, refetched for an unknown `kid` after the cooldown). Issuer, audience and algorithm are pinned; `exp`,
 * `iat`, `sub` and `jti` are required.
 *
 * An assertion once verified is remembered, under a SHA-256 of the whole token (signature included), until it
 * expires: the gateway's forwardAuth decision cache hands the same assertion to a backend for several seconds,
 * and a signature check costs about 150 us here. Its expiry is checked again each time; a key retired from the
 * key set stops new assertions at once, and the ones it verified within their lifetime (60 s).
 */
export class AssertionVerifier {
  readonly options: Readonly<Required<Omit<AssertionVerifierOptions, 'jwks'>>>;
  readonly #keys: ReturnType<typeof createRemoteJWKSet>;
  readonly #verified = new Map<string, IdentityAssertion>();

  constructor(options: AssertionVerifierOptions) {
    if (!(options.jwksUrl instanceof URL) || !/^https?:$/.test(options.jwksUrl.protocol)) {
      throw new TypeError('AssertionVerifier: jwksUrl must be an http(s) URL');
    }
    if (typeof options.issuer !== 'string' || options.issuer === '') {
      throw new TypeError('AssertionVerifier: issuer must be a non-empty string');
    }
    if (
      options.audiences.length === 0 ||
      options.audiences.some((aud) => typeof aud !== 'string' || aud === '')
    ) {
      throw new TypeError('AssertionVerifier: audiences must be one or more non-empty strings');
    }
    const tolerance = options.clockToleranceSeconds ?? 5;
    if (!Number.isFinite(tolerance) || tolerance < 0 || tolerance > 60) {
      throw new TypeError('AssertionVerifier: clockToleranceSeconds must be from 0 to 60');
    }
    this.options = {
      jwksUrl: options.jwksUrl,
      issuer: options.issuer,
      audiences: [...options.audiences],
      clockToleranceSeconds: tolerance,
    };
    this.#keys = createRemoteJWKSet(options.jwksUrl, {
      timeoutDuration: options.jwks?.timeoutMs ?? 5000,
      cooldownDuration: options.jwks?.cooldownMs ?? 5000,
      cacheMaxAge: options.jwks?.cacheMaxAgeMs ?? 600_000,
    });
  }

  /**
   * The verified assertion; rejects with {@link InvalidAssertionError} (401) for a token that fails a check, or
   * {@link AssertionKeysUnavailableError} (503) when the keys cannot be fetched.
   */
  async verify(token: string): Promise<IdentityAssertion> {
    const digest = hash('sha256', token, 'base64url');
    const known = this.#verified.get(digest);
    if (known !== undefined) {
      // jose's rule: expired once exp is at or before now minus the tolerance.
      // A copy: callers own what they get.
      if (known.exp > Date.now() / 1000 - this.options.clockToleranceSeconds) {
        return {
          ...known,
          roles: [...known.roles],
          aud: Array.isArray(known.aud) ? [...known.aud] : known.aud,
        };
      }
      this.#verified.delete(digest);
      throw new InvalidAssertionError('expired');
    }
    const assertion = await this.#verify(token);
    this.#verified.set(digest, { ...assertion, roles: [...assertion.roles] });
    if (this.#verified.size > VERIFIED_ENTRIES) {
      // The oldest first: entries are never refreshed, each lives until it expires or is pushed out.
      const oldest = this.#verified.keys().next().value;
      if (oldest !== undefined) this.#verified.delete(oldest);
    }
    return assertion;
  }

  async #verify(token: string): Promise<IdentityAssertion> {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, this.#keys, {
        issuer: this.options.issuer,
        audience: [...this.options.audiences],
        algorithms: [ASSERTION_ALGORITHM],
        clockTolerance: this.options.clockToleranceSeconds,
        requiredClaims: ['iss', 'aud', 'sub', 'iat', 'exp', 'jti'],
      }));
    } catch (err) {
      if (err instanceof errors.JOSEError && !KEY_FETCH_CODES.has(err.code)) {
        throw new InvalidAssertionError(reasonOf(err), { cause: err });
      }
      // A timeout, a non-200 answer, an invalid key set, or the fetch itself failing (connection refused).
      throw new AssertionKeysUnavailableError({ cause: err });
    }
    return assertionOf(payload, this.options.clockToleranceSeconds);
  }
}
