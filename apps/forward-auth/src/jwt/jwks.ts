import { createPublicKey, type JsonWebKey } from 'node:crypto';
import buildGetJwks from 'get-jwks';
import type { JwtIssuer } from './issuers.ts';

/** How keys are fetched and cached; every field has a default. */
export interface JwksOptions {
  /** How long a fetched key is used before it is fetched again (ms). An unreachable issuer's last keys serve as long again. Default 5 min. */
  cacheTtlMs?: number;
  /** After a fetch that did not find a `kid`, that `kid` is refused without fetching for this long (ms). Default 30 s. */
  cooldownMs?: number;
  /** A key fetch that takes longer fails (ms). Default 5 s. */
  timeoutMs?: number;
}

/** Why {@link IssuerKeys.publicKey} found no key. */
export type KeyLookupFailure = 'unknown-key' | 'unusable-key' | 'unavailable';

/** No key for a token: its `kid` is not published (401), the key is not usable (401), or the issuer cannot be reached (503). */
export class KeyLookupError extends Error {
  readonly code = 'ERR_KEY_LOOKUP';
  readonly failure: KeyLookupFailure;

  constructor(failure: KeyLookupFailure, message: string, options: { cause?: unknown } = {}) {
    super(message, options);
    this.name = 'KeyLookupError';
    this.failure = failure;
  }
}

/** Unknown kids remembered per issuer for the cooldown. */
const MAX_REMEMBERED_MISSES = 1000;

const DEFAULTS: Required<JwksOptions> = { cacheTtlMs: 5 * 60_000, cooldownMs: 30_000, timeoutMs: 5_000 };

/**
 * The public keys of one configured issuer, fetched with get-jwks from the configured JWKS URL (or the issuer's
 * discovery document) and never from anything a token says: the token's `kid` and `alg` only pick a key.
 * get-jwks fetches again on every unknown `kid`, so a `kid` that was not found is refused without a fetch for a
 * cooldown: repeating a bad token does not turn each request into a fetch, and a key published later is found once
 * the cooldown is over. (get-jwks caches keys one by one, so the cooldown cannot cover every unknown `kid` as jose's
 * whole-set cache does without also refusing real keys not fetched yet.)
 */
export class IssuerKeys {
  readonly issuer: string;
  readonly #domain: string;
  readonly #getJwks: ReturnType<typeof buildGetJwks>;
  readonly #options: Required<JwksOptions>;
  /** When each recently unknown `alg kid` was last looked up; bounded, oldest first. */
  readonly #misses = new Map<string, number>();

  constructor(issuer: JwtIssuer, options: JwksOptions = {}) {
    this.issuer = issuer.issuer;
    this.#options = { ...DEFAULTS, ...options };
    if (issuer.jwksUrl === null) {
      this.#domain = issuer.issuer;
      this.#getJwks = buildGetJwks({ ttl: this.#options.cacheTtlMs, providerDiscovery: true });
    } else {
      // get-jwks fetches `domain + jwksPath`: split the configured URL so that is exactly it.
      const url = new URL(issuer.jwksUrl);
      this.#domain = `${url.origin}/`;
      this.#getJwks = buildGetJwks({
        ttl: this.#options.cacheTtlMs,
        jwksPath: `${url.pathname}${url.search}`,
      });
    }
  }

  #remember(id: string): void {
    this.#misses.delete(id);
    this.#misses.set(id, Date.now());
    if (this.#misses.size > MAX_REMEMBERED_MISSES) {
      const oldest = this.#misses.keys().next();
      if (oldest.done !== true) this.#misses.delete(oldest.value);
    }
  }

  async #fetchJwk(alg: string, kid: string): Promise<JsonWebKey> {
    let timer: NodeJS.Timeout | undefined;
    // get-jwks' own timeout option is not one that fetch() knows, so a hanging issuer would hang the check.
    const timeout = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(
        () => reject(new KeyLookupError('unavailable', `key fetch for ${this.issuer} timed out`)),
        this.#options.timeoutMs,
      );
    });
    try {
      return await Promise.race([this.#getJwks.getJwk({ domain: this.#domain, alg, kid }), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** The PEM public key for a token's header; rejects with a {@link KeyLookupError}. */
  async publicKey(header: { alg: string; kid?: unknown }): Promise<string> {
    // get-jwks matches a key without `kid` to a token without one, so an absent kid is looked up as undefined.
    const kid = typeof header.kid === 'string' ? header.kid : undefined;
    if (header.kid !== undefined && kid === undefined) {
      throw new KeyLookupError('unknown-key', 'the kid header must be a string');
    }
    const id = `${header.alg} ${String(kid)}`;
    const missedAt = this.#misses.get(id);
    if (missedAt !== undefined && Date.now() - missedAt < this.#options.cooldownMs) {
      throw new KeyLookupError('unknown-key', 'no key of the issuer matches the token');
    }
    let jwk: JsonWebKey;
    try {
      jwk = await this.#fetchJwk(header.alg, kid as string);
    } catch (err) {
      if (err instanceof KeyLookupError) throw err;
      if ((err as { code?: unknown }).code === 'JWK_NOT_FOUND') {
        this.#remember(id);
        throw new KeyLookupError('unknown-key', 'no key of the issuer matches the token', { cause: err });
      }
      // Refused connections, timeouts, non-JSON or non-2xx answers, a discovery document without keys.
      throw new KeyLookupError('unavailable', `cannot fetch the keys of ${this.issuer}`, { cause: err });
    }
    this.#misses.delete(id);
    if (jwk.use !== undefined && jwk.use !== 'sig') {
      throw new KeyLookupError('unusable-key', 'the matching key is not a signing key');
    }
    try {
      return createPublicKey({ key: jwk, format: 'jwk' }).export({ type: 'spki', format: 'pem' }).toString();
    } catch (err) {
      throw new KeyLookupError('unusable-key', 'the matching key is not a usable public key', { cause: err });
    }
  }
}
