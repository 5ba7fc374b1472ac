import type { Adapter, AdapterPayload } from 'oidc-provider';

interface Entry {
  payload: AdapterPayload;
  /** Epoch milliseconds, or Infinity for entries stored without a lifetime. */
  expiresAt: number;
}

/** Models whose entries die with their grant (oidc-provider revokes them by `grantId`). */
const GRANT_BOUND_MODELS = new Set([
  'AccessToken',
  'AuthorizationCode',
  'RefreshToken',
  'DeviceCode',
  'BackchannelAuthenticationRequest',
  'PreAuthorizedCode',
]);

/** Most entries kept; past it the oldest are dropped (a login in progress may then have to start again). */
const DEFAULT_MAX_ENTRIES = 10_000;

/**
 * oidc-provider's storage (sessions, interactions, grants, codes, refresh tokens, consumed-code markers) held in this
 * process's memory. One store outlives the Provider objects built on it, so a provider rebuilt with new keys keeps its
 * sessions. State is lost on restart and not shared between replicas: enough for the local profile and one container,
 * not for a scaled deployment, which needs a shared adapter (Redis, a database).
 */
export class MemoryStore {
  readonly #entries = new Map<string, Entry>();
  /** Session `uid` → entry key, for `findByUid`. */
  readonly #byUid = new Map<string, string>();
  /** Device-flow `userCode` → entry key, for `findByUserCode`. */
  readonly #byUserCode = new Map<string, string>();
  readonly #maxEntries: number;
  readonly #clockToleranceMs: number;
  readonly #now: () => number;

  constructor(options: { maxEntries?: number; clockToleranceSeconds?: number; now?: () => number } = {}) {
    this.#maxEntries = options.maxEntries ?? DEFAULT_MAX_ENTRIES;
    this.#clockToleranceMs = (options.clockToleranceSeconds ?? 0) * 1000;
    this.#now = options.now ?? Date.now;
  }

  /** Number of live entries (expired ones are dropped first). */
  get size(): number {
    this.#sweep();
    return this.#entries.size;
  }

  /** The adapter of one oidc-provider model (`Session`, `Grant`, `AccessToken`, ...), for `configuration.adapter`. */
  adapterFor(model: string): Adapter {
    const key = (id: string) => `${model}:${id}`;
    return {
      upsert: async (id, payload, expiresIn) => this.#set(key(id), payload, expiresIn),
      find: async (id) => this.#get(key(id)),
      findByUid: async (uid) => this.#getIndexed(this.#byUid, uid),
      findByUserCode: async (userCode) => this.#getIndexed(this.#byUserCode, userCode),
      consume: async (id) => {
        const payload = this.#get(key(id));
        if (payload) payload.consumed = Math.floor(this.#now() / 1000);
      },
      destroy: async (id) => this.#delete(key(id)),
      revokeByGrantId: async (grantId) => {
        // A scan, not an index: the store is small, and revocation is rare.
        for (const [entryKey, entry] of this.#entries) {
          const entryModel = entryKey.slice(0, entryKey.indexOf(':'));
          if (entry.payload.grantId === grantId && GRANT_BOUND_MODELS.has(entryModel)) this.#delete(entryKey);
        }
      },
    };
  }

  #set(entryKey: string, payload: AdapterPayload, expiresIn: number | undefined): void {
    this.#delete(entryKey);
    const expiresAt =
      typeof expiresIn === 'number'
        ? this.#now() + expiresIn * 1000 + this.#clockToleranceMs
        : Number.POSITIVE_INFINITY;
    this.#entries.set(entryKey, { payload, expiresAt });
    if (entryKey.startsWith('Session:') && payload.uid) this.#byUid.set(payload.uid, entryKey);
    if (payload.userCode) this.#byUserCode.set(payload.userCode, entryKey);
    if (this.#entries.size > this.#maxEntries) {
      this.#sweep();
      for (const oldest of this.#entries.keys()) {
        if (this.#entries.size <= this.#maxEntries) break;
        this.#delete(oldest);
      }
    }
  }

  #get(entryKey: string): AdapterPayload | undefined {
    const entry = this.#entries.get(entryKey);
    if (!entry) return undefined;
    if (entry.expiresAt <= this.#now()) {
      this.#delete(entryKey);
      return undefined;
    }
    return entry.payload;
  }

  #getIndexed(index: Map<string, string>, value: string): AdapterPayload | undefined {
    const entryKey = index.get(value);
    return entryKey === undefined ? undefined : this.#get(entryKey);
  }

  #delete(entryKey: string): void {
    const entry = this.#entries.get(entryKey);
    if (!entry) return;
    this.#entries.delete(entryKey);
    const { uid, userCode } = entry.payload;
    if (uid && this.#byUid.get(uid) === entryKey) this.#byUid.delete(uid);
    if (userCode && this.#byUserCode.get(userCode) === entryKey) this.#byUserCode.delete(userCode);
  }

  #sweep(): void {
    const now = this.#now();
    for (const [entryKey, entry] of this.#entries) {
      if (entry.expiresAt <= now) this.#delete(entryKey);
    }
  }
}
