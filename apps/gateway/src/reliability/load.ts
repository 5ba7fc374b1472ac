/**
 * A small closed-loop load generator for the reliability tests: `concurrency` clients, each sending its next
 * request when the last one answered, until `total` requests were sent or `until()` says stop. It counts
 * statuses and transport errors, and keeps what each failure was. Not a test file (no `.test.ts`).
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

/** The `q` quantile (0..1) of `values`, nearest rank. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] as number;
}
