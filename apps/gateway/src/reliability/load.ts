/**
 * Small load generators for the reliability tests. {@link runLoad}: closed loop, `concurrency` clients, each
 * sending its next request when the last one answered, until `total` requests were sent or `until()` says
 * stop. {@link runAtRate}: open loop, requests due at a fixed rate whatever the answers do. Both count statuses
 * and transport errors, and keep what each failure was. Not a test file (no `.test.ts`).
 */

import { Agent, request } from 'undici';

/** What a load run saw. */
export interface LoadResult {
  /** Requests sent. */
  readonly sent: number;
  /** Answers by status code. */
  readonly statuses: Record<number, number>;
  /** Requests that got no answer (connection refused or reset...), by error code. */
  readonly errors: Record<string, number>;
  /** Each request that failed (not the expected status, or no answer), in order: when and why. */
  readonly failures: Array<{ at: number; what: string }>;
  /** Values of `recordHeader` in the answers, in order of arrival. */
  readonly headerValues: string[];
  /** Latencies in ms, in order of arrival. */
  readonly latencies: number[];
}

/** What each request is and what counts as its success. */
export interface RequestOptions {
  readonly url: string;
  readonly headers?: Record<string, string>;
  /** The status that counts as success (default 200). */
  readonly expect?: number;
  /** A response header whose values are recorded (e.g. a version set by a reloaded middleware). */
  readonly recordHeader?: string;
  /** Per-request deadline, ms (default 5 s): a hang is a failure, not a stuck test. */
  readonly timeoutMs?: number;
}

/** Options of {@link runLoad}. */
export interface LoadOptions extends RequestOptions {
  readonly concurrency: number;
  /** Stop after this many requests (default: no limit, `until` decides). */
  readonly total?: number;
  /** Checked before each request: stop when it returns true. */
  readonly until?: () => boolean;
}

/** Sends requests and tallies their outcomes into a {@link LoadResult}. */
class Tally {
  readonly agent: Agent;
  readonly result: { -readonly [K in keyof LoadResult]: LoadResult[K] };
  readonly #options: RequestOptions;
  readonly #started = performance.now();

  constructor(options: RequestOptions, connections: number) {
    this.#options = options;
    this.agent = new Agent({ connections, keepAliveTimeout: 10_000 });
    this.result = { sent: 0, statuses: {}, errors: {}, failures: [], headerValues: [], latencies: [] };
  }

  /** Time since the start, ms. */
  get elapsed(): number {
    return performance.now() - this.#started;
  }

  /** Sends one request; latency counts from `from` (ms since the start: when it was sent, or due). */
  async send(from: number): Promise<void> {
    const { result } = this;
    const options = this.#options;
    result.sent++;
    try {
      const response = await request(options.url, {
        dispatcher: this.agent,
        headers: options.headers,
        signal: AbortSignal.timeout(options.timeoutMs ?? 5000),
      });
      await response.body.dump();
      result.latencies.push(this.elapsed - from);
      result.statuses[response.statusCode] = (result.statuses[response.statusCode] ?? 0) + 1;
      if (options.recordHeader !== undefined) {
        const value = response.headers[options.recordHeader];
        if (typeof value === 'string') result.headerValues.push(value);
      }
      if (response.statusCode !== (options.expect ?? 200)) {
        result.failures.push({ at: from, what: `status ${response.statusCode}` });
      }
    } catch (error) {
      const code = (error as { code?: string }).code ?? (error as Error).name;
      result.errors[code] = (result.errors[code] ?? 0) + 1;
      result.failures.push({ at: from, what: code });
    }
  }
}

/** Runs the load; resolves when every client has stopped. */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const tally = new Tally(options, options.concurrency);
  const total = options.total ?? Number.POSITIVE_INFINITY;
  const client = async () => {
    while (tally.result.sent < total && !(options.until?.() ?? false)) await tally.send(tally.elapsed);
  };
  try {
    await Promise.all(Array.from({ length: options.concurrency }, client));
  } finally {
    await tally.agent.close();
  }
  return tally.result;
}

/** Options of {@link runAtRate}. */
export interface RateOptions extends RequestOptions {
  /** Requests per second. */
  readonly rps: number;
  readonly durationMs: number;
  /** Requests in flight at most; a request due while that many are in flight waits (and is late). */
  readonly maxInFlight?: number;
  /** Called about once a second with the time since the start, ms (memory samples). */
  readonly onTick?: (elapsedMs: number) => void;
}

/**
 * Sends requests due at t0 + i/rps for `durationMs` and waits for the last answers. Latency counts from when
 * a request was due, so a stall shows up instead of slowing the sender down.
 */
export async function runAtRate(options: RateOptions): Promise<LoadResult> {
  const maxInFlight = options.maxInFlight ?? 64;
  const tally = new Tally(options, maxInFlight);
  const interval = 1000 / options.rps;
  const inFlight = new Set<Promise<void>>();
  let nextTick = 1000;
  try {
    for (let due = 0; due < options.durationMs; due += interval) {
      const wait = due - tally.elapsed;
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      while (inFlight.size >= maxInFlight) await Promise.race(inFlight);
      if (due >= nextTick) {
        options.onTick?.(tally.elapsed);
        nextTick += 1000;
      }
      const call = tally.send(due).finally(() => inFlight.delete(call));
      inFlight.add(call);
    }
    await Promise.all(inFlight);
  } finally {
    await tally.agent.close();
  }
  return tally.result;
}

/** The `q` quantile (0..1) of `values`, nearest rank. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] as number;
}
