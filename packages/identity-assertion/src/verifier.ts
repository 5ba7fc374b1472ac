import { hash, KeyObject, verify } from 'node:crypto';
import {
  type CryptoKey,
  createRemoteJWKSet,
  type ExportedJWKSCache,
  errors,
  type JSONWebKeySet,
  type JWSHeaderParameters,
  jwksCache,
} from 'jose';
import { assertionOf, type ClaimRules } from './claims.ts';
import { ASSERTION_ALGORITHM, type IdentityAssertion } from './contract.ts';
import { ES256_SIGNATURE_BYTES, p1363ToDer } from './ecdsa.ts';
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

/** jose's failures to get the key set, as opposed to failures of the token. */
const KEY_FETCH_CODES = new Set(['ERR_JWKS_TIMEOUT', 'ERR_JWKS_INVALID', 'ERR_JOSE_GENERIC']);

/** Assertions remembered as verified at most (one per user and forwardAuth cache period, in practice). */
const VERIFIED_ENTRIES = 1000;

/** A JWS segment: unpadded base64url (RFC 7515 section 2), which Buffer would otherwise decode leniently. */
const SEGMENT = /^[A-Za-z0-9_-]+$/;

/** Characters of a 64-byte signature in unpadded base64url. */
const SIGNATURE_CHARS = Math.ceil((ES256_SIGNATURE_BYTES * 4) / 3);

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** A segment's JSON, when it is a JSON object; `null` otherwise. */
function jsonObject(segment: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(utf8.decode(Buffer.from(segment, 'base64url')));
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}

/** An assertion verified once, and the key set (as fetched) that was current when its key was looked up. */
interface Verified {
  assertion: IdentityAssertion;
  keySet: JSONWebKeySet | undefined;
}

/**
 * Checks identity assertions against forward-auth's published keys (jose's remote JWKS: fetched on first use,
 * cached, refetched for an unknown `kid` after the cooldown). Issuer, audience and algorithm (ES256 only) are
 * pinned; `exp`, `iat`, `sub` and `jti` are required. The signature is checked with node:crypto on libuv's thread
 * pool (about 70 us of CPU here, where jose's WebCrypto path cost 125 us): one check per request reaching a backend
 * without the gateway's decision cache.
 *
 * An assertion once verified is remembered, under a SHA-256 of the whole token (signature included), in a bounded
 * LRU: the gateway's forwardAuth decision cache hands the same assertion to a backend for several seconds. A
 * remembered assertion is given again only while it has not expired and while the key set it was verified with is
 * still the one in use and not due for a refetch: a refetched key set (a rotated or retired key) makes it verified
 * afresh. The check costs no key lookup: jose's `jwksCache` object shows which fetched set is current.
 * A token differing in any byte has another digest, so a tampered token is always checked in full.
 */
export class AssertionVerifier {
  readonly options: Readonly<Required<Omit<AssertionVerifierOptions, 'jwks'>>>;
  readonly #keys: ReturnType<typeof createRemoteJWKSet>;
  readonly #rules: ClaimRules;
  readonly #verified = new Map<string, Verified>();
  /** jose writes each key set it fetches and applies here (`jwks`, a new object each time, and `uat`). */
  readonly #keySetCache: Partial<ExportedJWKSCache> = {};
  /** node:crypto's view of each key jose imported; dropped with the key set that held it. */
  readonly #keyObjects = new WeakMap<CryptoKey, KeyObject>();

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
    this.#rules = {
      issuer: this.options.issuer,
      audiences: this.options.audiences,
      toleranceSeconds: tolerance,
    };
    this.#keys = createRemoteJWKSet(options.jwksUrl, {
      timeoutDuration: options.jwks?.timeoutMs ?? 5000,
      cooldownDuration: options.jwks?.cooldownMs ?? 5000,
      cacheMaxAge: options.jwks?.cacheMaxAgeMs ?? 600_000,
      [jwksCache]: this.#keySetCache as ExportedJWKSCache,
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
      this.#verified.delete(digest);
      const { assertion } = known;
      // jose's rule: expired once exp is at or before now minus the tolerance.
      if (assertion.exp <= Math.floor(Date.now() / 1000) - this.options.clockToleranceSeconds) {
        throw new InvalidAssertionError('expired');
      }
      if (known.keySet !== undefined && known.keySet === this.#keySetCache.jwks && this.#keys.fresh) {
        this.#verified.set(digest, known);
        // A copy: callers own what they get.
        return {
          ...assertion,
          roles: [...assertion.roles],
          aud: Array.isArray(assertion.aud) ? [...assertion.aud] : assertion.aud,
        };
      }
    }
    const verified = await this.#verify(token);
    const { assertion } = verified;
    this.#verified.set(digest, {
      ...verified,
      assertion: {
        ...assertion,
        roles: [...assertion.roles],
        aud: Array.isArray(assertion.aud) ? [...assertion.aud] : assertion.aud,
      },
    });
    if (this.#verified.size > VERIFIED_ENTRIES) {
      // The least recently used: a hit moves its entry to the end.
      const oldest = this.#verified.keys().next().value;
      if (oldest !== undefined) this.#verified.delete(oldest);
    }
    return assertion;
  }

  /** The key of the set for this header, as jose's remote key set selects it (by `alg` and `kid`). */
  async #key(header: JWSHeaderParameters): Promise<CryptoKey> {
    try {
      return await this.#keys(header);
    } catch (err) {
      if (err instanceof errors.JOSEError && !KEY_FETCH_CODES.has(err.code)) {
        throw new InvalidAssertionError(
          err.code === 'ERR_JWKS_NO_MATCHING_KEY' || err.code === 'ERR_JWKS_MULTIPLE_MATCHING_KEYS'
            ? 'no key of the issuer matches'
            : 'malformed',
          { cause: err },
        );
      }
      // A timeout, a non-200 answer, an invalid key set, or the fetch itself failing (connection refused).
      throw new AssertionKeysUnavailableError({ cause: err });
    }
  }

  /** node:crypto's key for a key of the set, which must be an EC P-256 public key. */
  #keyObject(key: CryptoKey): KeyObject {
    let keyObject = this.#keyObjects.get(key);
    if (keyObject === undefined) {
      keyObject = KeyObject.from(key);
      if (
        keyObject.type !== 'public' ||
        keyObject.asymmetricKeyType !== 'ec' ||
        keyObject.asymmetricKeyDetails?.namedCurve !== 'prime256v1'
      ) {
        throw new InvalidAssertionError('no key of the issuer matches');
      }
      this.#keyObjects.set(key, keyObject);
    }
    return keyObject;
  }

  /** A compact JWS (RFC 7515) checked in the order jose checks it: header, key, signature, then claims. */
  async #verify(token: string): Promise<Verified> {
    const parts = token.split('.');
    const [encodedHeader, encodedPayload, encodedSignature] = parts;
    if (
      parts.length !== 3 ||
      encodedHeader === undefined ||
      encodedPayload === undefined ||
      encodedSignature === undefined ||
      !SEGMENT.test(encodedHeader) ||
      !SEGMENT.test(encodedPayload)
    ) {
      throw new InvalidAssertionError('malformed');
    }
    const header = jsonObject(encodedHeader);
    if (header === null || typeof header.alg !== 'string' || header.alg === '') {
      throw new InvalidAssertionError('malformed');
    }
    if (header.alg !== ASSERTION_ALGORITHM) throw new InvalidAssertionError('algorithm not allowed');
    // No extension is understood here, so a header that marks one as critical is refused (RFC 7515 section 4.1.11).
    if (header.crit !== undefined) throw new InvalidAssertionError('unsupported critical header');
    // Read before the lookup: a set fetched meanwhile leaves the entry tagged with the older one, verified again next time.
    const keySet = this.#keySetCache.jwks;
    const key = await this.#key(header as JWSHeaderParameters);
    const keyObject = this.#keyObject(key);
    if (encodedSignature.length !== SIGNATURE_CHARS || !SEGMENT.test(encodedSignature)) {
      throw new InvalidAssertionError('signature invalid');
    }
    const signed = Buffer.from(token.slice(0, encodedHeader.length + 1 + encodedPayload.length), 'latin1');
    const signature = p1363ToDer(Buffer.from(encodedSignature, 'base64url'));
    const valid = await new Promise<boolean>((resolve) => {
      verify('sha256', signed, keyObject, signature, (err, ok) => resolve(err === null && ok));
    });
    if (!valid) throw new InvalidAssertionError('signature invalid');
    const claims = jsonObject(encodedPayload);
    if (claims === null) throw new InvalidAssertionError('malformed');
    const assertion = assertionOf(claims, this.#rules, Math.floor(Date.now() / 1000));
    return { assertion, keySet };
  }
}
