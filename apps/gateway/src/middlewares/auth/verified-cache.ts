/**
 * Successful basic-auth verifications, remembered so a client that sends the same credentials on every request
 * (as basic auth does) pays for bcrypt once, not per request; Caddy's basicauth does the same. Entries are keyed
 * by an HMAC-SHA-256 of user, password and stored hash under a random key of this cache, so memory holds no
 * password nor anything to test guesses against offline. Failures are never remembered (each costs a full
 * verification), the cache is bounded (least recently used entry out first), and each basicAuth build has its
 * own, so a reload or a new users file starts empty.
 */

import { createHmac, createSecretKey, randomBytes } from 'node:crypto';

/** Verifies a password against a stored hash (`verifyPassword`). */
export type PasswordVerifier = (password: string, hash: string) => Promise<boolean>;

/** Default bound: far more distinct users than a basicAuth list holds, a few hundred KB at most. */
const defaultMaxEntries = 1000;

/** The keyed digests of credentials verified good, with their user, least recently used first. */
export class VerifiedCredentials {
  // A KeyObject, made once: createHmac converts a raw key on every call (9 us here, against 1.3 us).
  readonly #key = createSecretKey(randomBytes(32));
  readonly #entries = new Map<string, string>();
  readonly #maxEntries: number;

  constructor(maxEntries: number = defaultMaxEntries) {
    if (!Number.isInteger(maxEntries) || maxEntries < 1) throw new RangeError('maxEntries must be >= 1');
    this.#maxEntries = maxEntries;
  }

  /** The cache key of these credentials. JSON keeps `a`+`b:c` and `a:b`+`c` apart. */
  keyOf(user: string, password: string, hash: string): string {
    return createHmac('sha256', this.#key)
      .update(JSON.stringify([user, password, hash]))
      .digest('base64url');
  }

  /** True when `key` was verified good for `user`; marks it recently used. */
  has(key: string, user: string): boolean {
    const cached = this.#entries.get(key);
    if (cached !== user) return false;
    this.#entries.delete(key);
    this.#entries.set(key, user);
    return true;
  }

  /** Remembers a good verification, dropping the least recently used entry when full. */
  add(key: string, user: string): void {
    this.#entries.delete(key);
    this.#entries.set(key, user);
    if (this.#entries.size > this.#maxEntries) {
      const oldest = this.#entries.keys().next().value;
      if (oldest !== undefined) this.#entries.delete(oldest);
    }
  }

  get size(): number {
    return this.#entries.size;
  }

  /** Key → user, least recently used first (for tests and diagnostics). */
  entries(): IterableIterator<[string, string]> {
    return this.#entries.entries();
  }
}

/** `verify` behind `cache`: a hit answers true at once; a success is remembered; a failure never is. */
export function cachedVerifier(
  cache: VerifiedCredentials,
  verify: PasswordVerifier,
): (user: string, password: string, hash: string) => Promise<boolean> {
  return async (user, password, hash) => {
    const key = cache.keyOf(user, password, hash);
    if (cache.has(key, user)) return true;
    const valid = await verify(password, hash);
    if (valid) cache.add(key, user);
    return valid;
  };
}
