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

/** Options of {@link runLoad}. */
export interface LoadOptions {
  readonly url: string;
  readonly concurrency: number;
  /** Stop after this many requests (default: no limit, `until` decides). */
  readonly total?: number;
  /** Checked before each request: stop when it returns true. */
  readonly until?: () => boolean;
  readonly headers?: Record<string, string>;
  /** The status that counts as success (default 200). */
  readonly expect?: number;
  /** A response header whose values are recorded (e.g. a version set by a reloaded middleware). */
  readonly recordHeader?: string;
  /** Per-request deadline, ms (default 5 s): a hang is a failure, not a stuck test. */
  readonly timeoutMs?: number;
}

/** Runs the load; resolves when every client has stopped. */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const agent = new Agent({ connections: options.concurrency, keepAliveTimeout: 10_000 });
  const statuses: Record<number, number> = {};
  const errors: Record<string, number> = {};
  const failures: Array<{ at: number; what: string }> = [];
  const headerValues: string[] = [];
  const latencies: number[] = [];
  const expect = options.expect ?? 200;
  const timeoutMs = options.timeoutMs ?? 5000;
  const total = options.total ?? Number.POSITIVE_INFINITY;
  const started = performance.now();
  let sent = 0;

  const client = async () => {
    while (sent < total && !(options.until?.() ?? false)) {
      sent++;
      const t = performance.now();
      try {
        const response = await request(options.url, {
          dispatcher: agent,
          headers: options.headers,
          signal: AbortSignal.timeout(timeoutMs),
        });
        await response.body.dump();
        latencies.push(performance.now() - t);
        statuses[response.statusCode] = (statuses[response.statusCode] ?? 0) + 1;
        if (options.recordHeader !== undefined) {
          const value = response.headers[options.recordHeader];
          if (typeof value === 'string') headerValues.push(value);
        }
        if (response.statusCode !== expect) {
          failures.push({ at: t - started, what: `status ${response.statusCode}` });
        }
      } catch (error) {
        const code = (error as { code?: string }).code ?? (error as Error).name;
        errors[code] = (errors[code] ?? 0) + 1;
        failures.push({ at: t - started, what: code });
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: options.concurrency }, client));
  } finally {
    await agent.close();
  }
  return { sent, statuses, errors, failures, headerValues, latencies };
}

/** Options of {@link runAtRate}. */
export interface RateOptions {
  readonly url: string;
  /** Requests per second. */
  readonly rps: number;
  readonly durationMs: number;
  readonly headers?: Record<string, string>;
  /** Requests in flight at most; a request due while that many are in flight waits (and is late). */
  readonly maxInFlight?: number;
  /** Per-request deadline, ms (default 5 s). */
  readonly timeoutMs?: number;
  /** Called about once a second with the time since the start, ms (memory samples). */
  readonly onTick?: (elapsedMs: number) => void;
}

/**
 * Sends requests due at t0 + i/rps for `durationMs` and waits for the last answers. Latency counts from when
 * a request was due, so a stall shows up instead of slowing the sender down.
 */
export async function runAtRate(options: RateOptions): Promise<LoadResult> {
  const maxInFlight = options.maxInFlight ?? 64;
  const agent = new Agent({ connections: maxInFlight, keepAliveTimeout: 10_000 });
  const statuses: Record<number, number> = {};
  const errors: Record<string, number> = {};
  const failures: Array<{ at: number; what: string }> = [];
  const latencies: number[] = [];
  const timeoutMs = options.timeoutMs ?? 5000;
  const interval = 1000 / options.rps;
  const started = performance.now();
  const inFlight = new Set<Promise<void>>();
  let sent = 0;
  let nextTick = 1000;

  const one = async (due: number) => {
    try {
      const response = await request(options.url, {
        dispatcher: agent,
        headers: options.headers,
        signal: AbortSignal.timeout(timeoutMs),
      });
      await response.body.dump();
      latencies.push(performance.now() - started - due);
      statuses[response.statusCode] = (statuses[response.statusCode] ?? 0) + 1;
      if (response.statusCode !== 200) failures.push({ at: due, what: `status ${response.statusCode}` });
    } catch (error) {
      const code = (error as { code?: string }).code ?? (error as Error).name;
      errors[code] = (errors[code] ?? 0) + 1;
      failures.push({ at: due, what: code });
    }
  };
  try {
    for (let due = 0; due < options.durationMs; due += interval) {
      const wait = due - (performance.now() - started);
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      while (inFlight.size >= maxInFlight) await Promise.race(inFlight);
      if (due >= nextTick) {
        options.onTick?.(performance.now() - started);
        nextTick += 1000;
      }
      sent++;
      const call = one(due).finally(() => inFlight.delete(call));
      inFlight.add(call);
    }
    await Promise.all(inFlight);
  } finally {
    await agent.close();
  }
  return { sent, statuses, errors, failures, headerValues: [], latencies };
}

/** The `q` quantile (0..1) of `values`, nearest rank. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] as number;
}
