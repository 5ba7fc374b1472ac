/**
 * Alternating rounds: the contenders are loaded one after the other, the order rotated each round, and each is
 * summed up by the median of its rounds. On a shared 2-core machine one run varies by tens of percent; a ratio
 * of medians taken in the same minutes is what holds.
 */
import { type WrkOptions, type WrkResult, wrk } from './wrk.ts';

/** What is loaded: a URL and the headers each request carries. */
export interface Target {
  readonly url: string;
  readonly headers: Record<string, string>;
}

/** How hard and how long. */
export interface RoundOptions {
  readonly rounds: number;
  readonly durationSec: number;
  readonly warmupSec: number;
  readonly connections: number;
}

/** Every round of one contender, and their medians. */
export interface Series {
  readonly runs: readonly WrkResult[];
  readonly rps: number;
  readonly p50: number;
  readonly p99: number;
  /** Non-2xx answers and socket errors, over every round. */
  readonly errors: number;
}

/** The median (the mean of the two middle values for an even count). */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

/** Sums up the rounds of one contender. */
export function seriesOf(runs: readonly WrkResult[]): Series {
  return {
    runs,
    rps: median(runs.map((r) => r.requestsPerSec)),
    p50: median(runs.map((r) => r.p50)),
    p99: median(runs.map((r) => r.p99)),
    errors: runs.reduce((sum, r) => sum + r.errors, 0),
  };
}

/**
 * Loads every target once a round, after a warm-up of each, starting each round one target further along the
 * list (a b c, b c a, c a b, ...), so each takes every place in the order; two targets alternate (a b, b a).
 * Returns one series per target, in the targets' order.
 */
export async function rotate(
  targets: readonly Target[],
  options: RoundOptions,
  load: (options: WrkOptions) => Promise<WrkResult> = wrk,
): Promise<Series[]> {
  const run = (target: Target, durationSec: number) =>
    load({ url: target.url, headers: target.headers, connections: options.connections, durationSec });
  if (options.warmupSec > 0) {
    for (const target of targets) await run(target, options.warmupSec);
  }
  const runs: WrkResult[][] = targets.map(() => []);
  for (let round = 0; round < options.rounds; round++) {
    for (let k = 0; k < targets.length; k++) {
      const index = (round + k) % targets.length;
      (runs[index] as WrkResult[]).push(await run(targets[index] as Target, options.durationSec));
    }
  }
  return runs.map(seriesOf);
}
