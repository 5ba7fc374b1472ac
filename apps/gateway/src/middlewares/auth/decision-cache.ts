/**
 * Remembered auth decisions (`cachedForwardAuth`): each under an HMAC-SHA-256 of what it depends on (the key
 * headers of the auth request) with a random key of this cache, so memory holds no token or cookie, nor
 * anything to test guesses against offline (as basicAuth's verified-cache). Each entry expires on its own
 * deadline; the cache is bounded, the least recently used entry going first. Each middleware build has its
 * own, so a reload starts it empty.
 */

import { createHmac, createSecretKey, randomBytes } from 'node:crypto';

interface Entry<T> {
  readonly value: T;
  /** `performance.now()` past which the entry is not used. */
  readonly expires: number;
}

/** Decisions by keyed digest, least recently used first. */
export class DecisionCache<T> {
  // A KeyObject, made once: createHmac converts a raw key on every call (9 us here, against 1.3 us).
  readonly #key = createSecretKey(randomBytes(32));
  readonly #entries = new Map<string, Entry<T>>();
  readonly #maxEntries: number;

  constructor(maxEntries: number) {
    if (!Number.isInteger(maxEntries) || maxEntries < 1) throw new RangeError('maxEntries must be >= 1');
    this.#maxEntries = maxEntries;
  }

  /** The cache key of `material` (the values a decision depends on, as one string). */
  keyOf(material: string): string {
    return createHmac('sha256', this.#key).update(material).digest('base64url');
  }

  /** The decision stored under `key`, unless it has expired; marks it recently used. */
  get(key: string, now: number = performance.now()): T | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    this.#entries.delete(key);
    if (entry.expires <= now) return undefined;
    this.#entries.set(key, entry);
    return entry.value;
  }

  /** Stores a decision for `lifetimeMs` (nothing when it is 0 or less), dropping the least recently used when full. */
  set(key: string, value: T, lifetimeMs: number, now: number = performance.now()): void {
    if (!(lifetimeMs > 0)) return;
    this.#entries.delete(key);
    this.#entries.set(key, { value, expires: now + lifetimeMs });
    if (this.#entries.size > this.#maxEntries) {
      const oldest = this.#entries.keys().next().value;
      if (oldest !== undefined) this.#entries.delete(oldest);
    }
  }

  /** Forgets every decision. */
  clear(): void {
    this.#entries.clear();
  }

  /** Entries held, expired ones included until they are looked up or pushed out. */
  get size(): number {
    return this.#entries.size;
  }
}
