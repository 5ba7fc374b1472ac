/**
 * Keep-alive connection pools to upstreams (and auth servers), shared across reloads: a reload that keeps a
 * server and its transport settings reuses its warm connections. Pools no runtime uses any more are closed
 * once the runtimes that used them have drained (`closeUnused`); undici's `close()` lets requests in flight
 * finish. A transport whose files or settings changed gets new pools (its TLS id is part of the key).
 */

import { buildConnector, type Dispatcher, Pool } from 'undici';
import type { TransportSettings } from '../http/transport.ts';
import { idleLimitedFactory } from './idle-limit.ts';

/** A pool and the key it is registered under. */
export interface PoolLease {
  readonly key: string;
  readonly pool: Pool;
}

/** Pools by origin and transport settings. */
export class PoolRegistry {
  readonly #pools = new Map<string, Pool>();

  /**
   * The pool for `origin` with these settings, created on first use. `h2c://host:port` gives a pool speaking
   * cleartext HTTP/2 with prior knowledge to `http://host:port`.
   */
  lease(origin: string, settings: TransportSettings): PoolLease {
    const key = `${origin} ${settingsKey(settings)}`;
    let pool = this.#pools.get(key);
    if (pool === undefined) {
      pool = createPool(origin, settings);
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

function settingsKey(settings: TransportSettings): string {
  return [
    settings.dialTimeout,
    settings.responseHeaderTimeout,
    settings.idleConnTimeout,
    settings.bodyTimeout ?? 0,
    settings.maxResponseSize ?? -1,
    settings.maxIdleConnsPerHost ?? '',
    settings.disableHTTP2 === true ? 'h1' : '',
    settings.tls?.id ?? '',
  ].join('/');
}

/** What `tls.connect` takes from a transport's TLS settings. */
function tlsOptions(tls: TransportSettings['tls']): buildConnector.BuildOptions {
  if (tls === undefined) return {};
  return {
    secureContext: tls.secureContext,
    rejectUnauthorized: tls.rejectUnauthorized,
    ...(tls.checkServerIdentity ? { checkServerIdentity: tls.checkServerIdentity } : {}),
  };
}

function createPool(origin: string, settings: TransportSettings): Pool {
  const h2c = origin.startsWith('h2c://');
  const target = h2c ? `http://${origin.slice('h2c://'.length)}` : origin;
  const tls = target.startsWith('https:') ? settings.tls : undefined;
  // undici offers h2 through ALPN unless told not to; the server picks (Go's transport does the same).
  const allowH2 = h2c || settings.disableHTTP2 !== true;
  const base = buildConnector({
    timeout: settings.dialTimeout,
    allowH2,
    ...(h2c ? { useH2c: true } : {}),
    ...tlsOptions(tls),
  } as buildConnector.BuildOptions);
  // undici names the TLS server after the request's Host header, which is the client's (passHostHeader);
  // Go's transport uses the server URL's host, or the transport's serverName. An IP gets no SNI.
  const servername = tls?.servername;
  const connect: buildConnector.connector = (options, callback) =>
    base({ ...options, servername: servername as string }, callback);
  // Go's idleConnTimeout 0 means "no limit"; undici needs a number, so use a long one.
  const idle = settings.idleConnTimeout > 0 ? settings.idleConnTimeout : 600_000;
  const limit = settings.maxIdleConnsPerHost;
  const options: Pool.Options = {
    connect,
    allowH2,
    ...(h2c ? { useH2c: true } : {}),
    headersTimeout: settings.responseHeaderTimeout,
    bodyTimeout: settings.bodyTimeout ?? 0,
    keepAliveTimeout: idle,
    keepAliveMaxTimeout: idle,
    maxResponseSize: settings.maxResponseSize ?? -1,
    ...(limit === undefined || h2c ? {} : { factory: idleLimitedFactory(limit) }),
  } as Pool.Options;
  if (!h2c && !(target.startsWith('https:') && allowH2)) return new Pool(target, options);
  const http1Connect = buildConnector({
    timeout: settings.dialTimeout,
    allowH2: false,
    ...tlsOptions(tls),
  } as buildConnector.BuildOptions);
  return new Http2CapablePool(target, options, () => {
    const connect: buildConnector.connector = (opts, callback) =>
      http1Connect({ ...opts, servername: servername as string }, callback);
    return new Pool(target, {
      ...options,
      connect,
      allowH2: false,
      useH2c: false,
      ...(limit === undefined ? {} : { factory: idleLimitedFactory(limit) }),
    } as Pool.Options);
  });
}

/**
 * A pool that may speak HTTP/2 (ALPN or h2c) and sends upgrade requests (websockets) over HTTP/1.1, through a
 * companion pool made on first use: an HTTP/2 connection cannot carry `Connection: Upgrade`, so Traefik's
 * transport sends those requests over HTTP/1 too.
 */
class Http2CapablePool extends Pool {
  readonly #makeHttp1: () => Pool;
  #http1: Pool | undefined;

  constructor(origin: string, options: Pool.Options, makeHttp1: () => Pool) {
    super(origin, options);
    this.#makeHttp1 = makeHttp1;
  }

  override dispatch(options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    if (options.upgrade) {
      this.#http1 ??= this.#makeHttp1();
      return this.#http1.dispatch(options, handler);
    }
    return super.dispatch(options, handler);
  }

  // undici's promise forms call the callback forms, which are the ones to extend.
  override close(): Promise<void>;
  override close(callback: () => void): void;
  override close(callback?: (...args: unknown[]) => void): Promise<void> | void {
    if (callback === undefined) return super.close();
    const http1 = this.#http1;
    if (http1 === undefined) return super.close(callback);
    // The companion first: closing this pool ends with destroy(), which would cut its requests.
    void http1.close().finally(() => super.close(callback));
  }

  override destroy(): Promise<void>;
  override destroy(error: Error | null): Promise<void>;
  override destroy(callback: () => void): void;
  override destroy(error: Error | null, callback: () => void): void;
  override destroy(
    errorOrCallback?: Error | null | ((...args: unknown[]) => void),
    callback?: (...args: unknown[]) => void,
  ): Promise<void> | void {
    const error = typeof errorOrCallback === 'function' ? null : (errorOrCallback ?? null);
    const done = typeof errorOrCallback === 'function' ? errorOrCallback : callback;
    if (done === undefined) return super.destroy(error);
    const http1 = this.#http1;
    if (http1 === undefined) return super.destroy(error, done);
    super.destroy(error, (...args: unknown[]) => void http1.destroy(error).finally(() => done(...args)));
  }
}
