/**
 * `circuitBreaker` (Traefik, oxy's cbreaker v2.1): watches the answers of its router's chain and, when
 * `expression` holds, stops calling the service for `fallbackDuration` (default 10 s), answering
 * `responseCode` (default 503) with its status text. Then, for `recoveryDuration` (default 10 s), it lets a
 * growing share of requests through (a ratio rising linearly to one half); if the expression holds again it
 * trips again, else it goes back to normal. The expression is checked at most every `checkPeriod` (default
 * 100 ms), after an answer, over the last 10 s of answers (latencies over the last minute):
 *
 * - `NetworkErrorRatio()`: the share of answers that were 502 or 504;
 * - `ResponseCodeRatio(a, b, c, d)`: answers with a code in [a, b) divided by those in [c, d) (0 if none);
 * - `LatencyAtQuantileMS(q)`: the q-th percentile latency in milliseconds (about 1% precision);
 *
 * compared with `==` `!=` `<` `>` `<=` `>=` and combined with `&&` `||`. The state belongs to one router's
 * chain and starts afresh on a reload, as Traefik rebuilds its middlewares.
 */

import type { CircuitBreakerConfig } from '../config/dynamic-schema.ts';
import { ResourceError } from '../errors.ts';
import { ExpressionError, type ExpressionFunction, parseExpression } from './expression.ts';
import { statusText } from './http-error.ts';
import type { Middleware } from './types.ts';

/** A count over a sliding window of `buckets` slots of `resolution` ms (oxy's RollingCounter). */
class RollingCounter {
  readonly #counts: number[];
  readonly #resolution: number;
  #slot = 0;
  #slotStart = 0;

  constructor(buckets: number, resolution: number) {
    this.#counts = new Array(buckets).fill(0);
    this.#resolution = resolution;
  }

  #advance(now: number): void {
    const elapsed = Math.floor((now - this.#slotStart) / this.#resolution);
    if (elapsed <= 0) return;
    const steps = Math.min(elapsed, this.#counts.length);
    for (let i = 1; i <= steps; i++) this.#counts[(this.#slot + i) % this.#counts.length] = 0;
    this.#slot = (this.#slot + elapsed) % this.#counts.length;
    this.#slotStart += elapsed * this.#resolution;
  }

  add(now: number, amount = 1): void {
    if (this.#slotStart === 0) this.#slotStart = now;
    this.#advance(now);
    this.#counts[this.#slot] = (this.#counts[this.#slot] ?? 0) + amount;
  }

  count(now: number): number {
    if (this.#slotStart === 0) return 0;
    this.#advance(now);
    return this.#counts.reduce((sum, value) => sum + value, 0);
  }
}

/** Latencies (µs) rounded to two significant figures, by slot of a sliding window (oxy's HDR histograms). */
class RollingLatencies {
  readonly #slots: Map<number, number>[];
  readonly #period: number;
  #slot = 0;
  #slotStart = 0;

  constructor(buckets: number, period: number) {
    this.#slots = Array.from({ length: buckets }, () => new Map());
    this.#period = period;
  }

  #advance(now: number): void {
    if (this.#slotStart === 0) this.#slotStart = now;
    const elapsed = Math.floor((now - this.#slotStart) / this.#period);
    if (elapsed <= 0) return;
    const steps = Math.min(elapsed, this.#slots.length);
    for (let i = 1; i <= steps; i++) this.#slots[(this.#slot + i) % this.#slots.length]?.clear();
    this.#slot = (this.#slot + elapsed) % this.#slots.length;
    this.#slotStart += elapsed * this.#period;
  }

  record(now: number, micros: number): void {
    this.#advance(now);
    const value = Math.max(1, Math.round(micros));
    const scale = 10 ** Math.max(0, Math.floor(Math.log10(value)) - 1);
    const rounded = Math.round(value / scale) * scale;
    const slot = this.#slots[this.#slot] as Map<number, number>;
    slot.set(rounded, (slot.get(rounded) ?? 0) + 1);
  }

  /** The latency (µs) at `quantile` percent, 0 without data. */
  at(now: number, quantile: number): number {
    this.#advance(now);
    const merged = new Map<number, number>();
    let total = 0;
    for (const slot of this.#slots) {
      for (const [value, count] of slot) {
        merged.set(value, (merged.get(value) ?? 0) + count);
        total += count;
      }
    }
    if (total === 0) return 0;
    const wanted = Math.max(1, Math.ceil((Math.min(100, Math.max(0, quantile)) / 100) * total));
    let seen = 0;
    for (const value of [...merged.keys()].sort((a, b) => a - b)) {
      seen += merged.get(value) ?? 0;
      if (seen >= wanted) return value;
    }
    return 0;
  }
}

/** oxy's RTMetrics: counts over 10 × 1 s, latencies over 6 × 10 s. */
export class RoundTripMetrics {
  #total = new RollingCounter(10, 1000);
  #networkErrors = new RollingCounter(10, 1000);
  #codes = new Map<number, RollingCounter>();
  #latencies = new RollingLatencies(6, 10_000);

  record(now: number, status: number, latencyMs: number): void {
    this.#total.add(now);
    if (status === 502 || status === 504) this.#networkErrors.add(now);
    let counter = this.#codes.get(status);
    if (counter === undefined) {
      counter = new RollingCounter(10, 1000);
      this.#codes.set(status, counter);
    }
    counter.add(now);
    this.#latencies.record(now, latencyMs * 1000);
  }

  networkErrorRatio(now: number): number {
    const total = this.#total.count(now);
    return total === 0 ? 0 : this.#networkErrors.count(now) / total;
  }

  responseCodeRatio(now: number, startA: number, endA: number, startB: number, endB: number): number {
    let a = 0;
    let b = 0;
    for (const [code, counter] of this.#codes) {
      const count = counter.count(now);
      if (code >= startA && code < endA) a += count;
      if (code >= startB && code < endB) b += count;
    }
    return b === 0 ? 0 : a / b;
  }

  latencyAtQuantileMs(now: number, quantile: number): number {
    return Math.trunc(this.#latencies.at(now, quantile) / 1000);
  }

  reset(): void {
    this.#total = new RollingCounter(10, 1000);
    this.#networkErrors = new RollingCounter(10, 1000);
    this.#codes = new Map();
    this.#latencies = new RollingLatencies(6, 10_000);
  }
}

interface Sample {
  readonly metrics: RoundTripMetrics;
  readonly now: number;
}

const functions: Record<string, ExpressionFunction<Sample>> = {
  NetworkErrorRatio: { args: [], returns: 'value', make: () => (s) => s.metrics.networkErrorRatio(s.now) },
  ResponseCodeRatio: {
    args: ['number', 'number', 'number', 'number'],
    returns: 'value',
    make:
      ([a, b, c, d]) =>
      (s) =>
        s.metrics.responseCodeRatio(s.now, Number(a), Number(b), Number(c), Number(d)),
  },
  LatencyAtQuantileMS: {
    args: ['number'],
    returns: 'value',
    make:
      ([q]) =>
      (s) =>
        s.metrics.latencyAtQuantileMs(s.now, Number(q)),
  },
};

/** Parses a circuit breaker expression; throws {@link ResourceError} naming the problem. */
export function parseCircuitExpression(expression: string): (sample: Sample) => boolean {
  try {
    return parseExpression(expression, functions);
  } catch (error) {
    if (error instanceof ExpressionError)
      throw new ResourceError(`circuitBreaker expression: ${error.message}`);
    throw error;
  }
}

type State =
  | { readonly kind: 'standby' }
  | { readonly kind: 'tripped'; readonly until: number }
  | {
      readonly kind: 'recovering';
      readonly until: number;
      readonly start: number;
      allowed: number;
      denied: number;
    };

/** Builds a circuitBreaker middleware. */
export function circuitBreaker(options: CircuitBreakerConfig): Middleware {
  const condition = parseCircuitExpression(options.expression);
  const checkPeriod = options.checkPeriod > 0 ? options.checkPeriod : 100;
  const fallbackDuration = options.fallbackDuration > 0 ? options.fallbackDuration : 10_000;
  const recoveryDuration = options.recoveryDuration > 0 ? options.recoveryDuration : 10_000;
  const responseCode = options.responseCode;
  const body = statusText(responseCode);

  return (next) => {
    const metrics = new RoundTripMetrics();
    let state: State = { kind: 'standby' };
    let nextCheck = 0;

    /** oxy's `activateFallback`: true when this request gets the fallback answer. */
    const fallback = (now: number): boolean => {
      if (state.kind === 'standby') return false;
      if (state.kind === 'tripped') {
        if (now < state.until) return true;
        state = { kind: 'recovering', until: now + recoveryDuration, start: now, allowed: 0, denied: 0 };
      }
      if (now > state.until) {
        state = { kind: 'standby' };
        return false;
      }
      // The share let through rises linearly to one half over the recovery.
      const target = (0.5 * (now - state.start)) / recoveryDuration;
      if ((state.allowed + 1) / (state.allowed + state.denied + 1) < target) {
        state.allowed++;
        return false;
      }
      state.denied++;
      return true;
    };

    const checkAndSet = (now: number): void => {
      if (now <= nextCheck) return;
      nextCheck = now + checkPeriod;
      if (state.kind === 'tripped' || !condition({ metrics, now })) return;
      state = { kind: 'tripped', until: now + fallbackDuration };
      metrics.reset();
    };

    return (exchange) => {
      const started = performance.now();
      if (fallback(started)) {
        exchange.sendText(responseCode, body);
        return Promise.resolve();
      }
      exchange.res.once('close', () => {
        const now = performance.now();
        // The status written (or 499 for a client gone, which the proxy records); 200 if nothing was.
        metrics.record(now, exchange.res.statusCode, now - started);
        checkAndSet(now);
      });
      return next(exchange);
    };
  };
}
