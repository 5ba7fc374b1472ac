/**
 * `rateLimit` (Traefik, golang.org/x/time/rate): a token bucket per source (`sourceCriterion`; the peer
 * address by default) that refills `average` tokens per `period` (default 1 s) up to `burst` (default 1).
 * A request takes a token; when the next token is due within `maxDelay` (half the interval between two
 * requests at the rate, 0.5 s below 1 request per second) the request waits for it, else it gets 429 with
 * `Retry-After` (whole seconds, rounded up) and `X-Retry-In` (Go's duration format) and its token is given
 * back. `average: 0` means no limit. Buckets idle for a while are dropped (at most 65536 sources are held,
 * the one closest to expiry goes first); they belong to one router's chain and start full on every
 * configuration reload, as Traefik rebuilds its middlewares.
 */

import type { RateLimitConfig } from '../config/dynamic-schema.ts';
import { ResourceError } from '../errors.ts';
import type { Exchange } from '../http/exchange.ts';
import { sourceExtractor } from './client-ip.ts';
import { statusText } from './http-error.ts';
import type { Middleware } from './types.ts';

/** Traefik's cap on the sources one rate limiter remembers. */
const maxSources = 65536;

/** A token bucket (x/time/rate's Limiter, reservations only). Times in ms. */
export class TokenBucket {
  #tokens: number;
  #last: number;
  readonly #rate: number;
  readonly #burst: number;

  /** `rate` in tokens per second. */
  constructor(rate: number, burst: number, now: number) {
    this.#rate = rate;
    this.#burst = burst;
    this.#tokens = burst;
    this.#last = now;
  }

  /** Takes a token; returns how long (ms) until it is due: 0 when there was one. */
  reserve(now: number): number {
    const elapsed = Math.max(0, now - this.#last);
    this.#tokens = Math.min(this.#burst, this.#tokens + (elapsed * this.#rate) / 1000);
    this.#last = Math.max(now, this.#last);
    this.#tokens -= 1;
    return this.#tokens >= 0 ? 0 : (-this.#tokens * 1000) / this.#rate;
  }

  /** Gives back the token of a reservation just made and refused. */
  cancel(): void {
    this.#tokens = Math.min(this.#burst, this.#tokens + 1);
  }
}

/** Go's `time.Duration.String()` for a duration in ms (`2.5ms`, `1.5s`, `1m30s`, `0s`). */
export function goDuration(ms: number): string {
  let ns = Math.round(ms * 1e6);
  if (ns === 0) return '0s';
  const sign = ns < 0 ? '-' : '';
  ns = Math.abs(ns);
  const trim = (text: string) => (text.includes('.') ? text.replace(/0+$/, '').replace(/\.$/, '') : text);
  const fixed = (value: number, digits: number) => trim((value / 10 ** digits).toFixed(digits));
  if (ns < 1e3) return `${sign}${ns}ns`;
  if (ns < 1e6) return `${sign}${fixed(ns, 3)}µs`;
  if (ns < 1e9) return `${sign}${fixed(ns, 6)}ms`;
  const hours = Math.floor(ns / 3.6e12);
  const minutes = Math.floor((ns % 3.6e12) / 6e10);
  const seconds = fixed(ns % 6e10, 9);
  if (hours > 0) return `${sign}${hours}h${minutes}m${seconds}s`;
  if (minutes > 0) return `${sign}${minutes}m${seconds}s`;
  return `${sign}${seconds}s`;
}

/** The rate (per second) and the waiting allowance of a configuration, as Traefik computes them. */
export function rateOf(options: Pick<RateLimitConfig, 'average' | 'period'>): {
  rate: number;
  maxDelay: number;
  ttlSeconds: number;
} {
  if (options.period < 0) throw new ResourceError(`negative value not valid for period: ${options.period}ms`);
  const period = options.period === 0 ? 1000 : options.period;
  if (options.average <= 0) return { rate: Number.POSITIVE_INFINITY, maxDelay: 0, ttlSeconds: 2 };
  const rate = (options.average * 1000) / period;
  // Go truncates the rate to an integer here: 1.5 requests per second allow 0.5 s.
  const maxDelay = rate < 1 ? 500 : 1000 / (Math.trunc(rate) * 2);
  const ttlSeconds = rate >= 1 ? 2 : 1 + Math.trunc(1 / rate);
  return { rate, maxDelay, ttlSeconds };
}

/** Builds a rateLimit middleware. Throws {@link ResourceError} for what Traefik refuses. */
export function rateLimit(options: RateLimitConfig): Middleware {
  const sourceOf = sourceExtractor(options.sourceCriterion, 'ip');
  const { rate, maxDelay, ttlSeconds } = rateOf(options);
  const burst = Math.max(options.burst, 1);
  if (rate === Number.POSITIVE_INFINITY) return (next) => next;
  const ttl = ttlSeconds * 1000;

  return (next) => {
    // Insertion order is refresh order: a source is re-inserted on each use, so the first is the stalest.
    const buckets = new Map<string, { bucket: TokenBucket; expires: number }>();
    const bucketFor = (source: string, now: number): TokenBucket => {
      let entry = buckets.get(source);
      if (entry !== undefined && entry.expires <= now) entry = undefined;
      buckets.delete(source);
      if (entry === undefined) {
        for (const [key, stale] of buckets) {
          if (stale.expires > now && buckets.size < maxSources) break;
          buckets.delete(key);
        }
        entry = { bucket: new TokenBucket(rate, burst, now), expires: 0 };
      }
      entry.expires = now + ttl;
      buckets.set(source, entry);
      return entry.bucket;
    };

    return (exchange) => {
      const now = performance.now();
      const bucket = bucketFor(sourceOf(exchange), now);
      const delay = bucket.reserve(now);
      if (delay === 0) return next(exchange);
      if (delay > maxDelay) {
        bucket.cancel();
        exchange.sendText(429, statusText(429), {
          'retry-after': String(Math.ceil(delay / 1000)),
          'x-retry-in': goDuration(delay),
        });
        return Promise.resolve();
      }
      return waitThenServe(exchange, delay, next);
    };
  };
}

async function waitThenServe(
  exchange: Exchange,
  delay: number,
  next: (exchange: Exchange) => Promise<void>,
): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, delay));
  // Traefik answers 500 `context canceled` to a client that left meanwhile; nobody would read it.
  if (exchange.clientGone) {
    exchange.res.destroy();
    return;
  }
  return next(exchange);
}
