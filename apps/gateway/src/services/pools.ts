/**
 * Keep-alive connection pools to upstreams (and auth servers), shared across reloads: a reload that keeps a
 * server reuses its warm connections. Pools no runtime uses any more are closed once the runtimes that used them
 * have drained (`closeUnused`); undici's `close()` lets requests in flight finish.
 */

import { Pool } from 'undici';
import type { TransportSettings } from '../http/transport.ts';

/** A pool and the key it is registered under. */
export interface PoolLease {
  readonly key: string;
  readonly pool: Pool;
}

/** Pools by origin and transport settings. */
export class PoolRegistry {
  readonly #pools = new Map<string, Pool>();

  /** The pool for `origin` with these settings, created on first use. */
  lease(origin: string, settings: TransportSettings): PoolLease {
    const bodyTimeout = settings.bodyTimeout ?? 0;
    const maxResponseSize = settings.maxResponseSize ?? -1;
    const key = `${origin} ${settings.dialTimeout}/${settings.responseHeaderTimeout}/${settings.idleConnTimeout}/${bodyTimeout} ${maxResponseSize}`;
    let pool = this.#pools.get(key);
    if (pool === undefined) {
      // Go's idleConnTimeout 0 means "no limit"; undici needs a number, so use a long one.
      const idle = settings.idleConnTimeout > 0 ? settings.idleConnTimeout : 600_000;
      pool = new Pool(origin, {
        connectTimeout: settings.dialTimeout,
        headersTimeout: settings.responseHeaderTimeout,
        bodyTimeout,
        keepAliveTimeout: idle,
        keepAliveMaxTimeout: idle,
        maxResponseSize,
      });
      this.#pools.set(key, pool);
    }
    return { key, pool };
  }

  /** Closes, gracefully, every pool whose key is not in `inUse`. */
  async closeUnused(inUse: ReadonlySet<string>): Promise<void> {
    const closing: Promise<void>[] = [];
    for (const [key, pool] of this.#pools) {
      if (inUse.has(key)) continue;
      this.#pools.delete(key);
      closing.push(pool.close());
    }
    await Promise.allSettled(closing);
  }

  /** Closes every pool, letting requests in flight finish. */
  async close(): Promise<void> {
    await this.closeUnused(new Set());
  }

  /** Number of open pools (for tests and the admin API). */
  get size(): number {
    return this.#pools.size;
  }
}
