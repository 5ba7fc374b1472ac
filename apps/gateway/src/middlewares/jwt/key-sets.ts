/**
 * What `jwt` middlewares learn from an issuer (the discovered `jwks_uri`, the last key set fetched), kept across
 * reloads. A reload rebuilds every middleware; without this, editing any dynamic file would make each `jwt`
 * middleware fetch its keys again, and an issuer down at that moment would turn valid tokens into 503s.
 * Only data is shared: each middleware keeps its own fetch state (cooldown, pending fetch).
 */

import type { JSONWebKeySet } from 'jose';

/** One issuer's remembered keys, filled by the middleware (jose writes `uat` and `jwks` on each fetch). */
export interface KeyCache {
  /** jose's exported cache: the key set and when it was fetched (ms since the epoch). */
  readonly jwks: { jwks?: JSONWebKeySet; uat?: number };
  /** The `jwks_uri` of the discovery document, once fetched. */
  jwksUri?: string;
}

/** Key caches by key source (issuer, discovery URL, JWKS URL). */
export class KeySetRegistry {
  readonly #caches = new Map<string, KeyCache>();

  /** The cache for `source`, created empty on first use. */
  get(source: string): KeyCache {
    let cache = this.#caches.get(source);
    if (cache === undefined) {
      cache = { jwks: {} };
      this.#caches.set(source, cache);
    }
    return cache;
  }

  /** Forgets the caches no middleware of the latest build uses. */
  retain(inUse: ReadonlySet<string>): void {
    for (const source of this.#caches.keys()) if (!inUse.has(source)) this.#caches.delete(source);
  }

  /** Number of caches held (for tests). */
  get size(): number {
    return this.#caches.size;
  }
}
