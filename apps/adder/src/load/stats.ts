/**
 * What a load run measured: an HDR histogram of latencies (microsecond resolution, 3 significant digits, so a
 * million calls cost a few kilobytes and no sorting), outcomes by status, and the most frequent errors.
 */

import * as hdr from 'hdr-histogram-js';

/** One call's result as the targets report it. */
export interface Outcome {
  /** gRPC status name (`OK`, `INVALID_ARGUMENT`, ...) or HTTP status code (`200`, `503`, ...). */
  readonly status: string;
  /** True for a successful call (gRPC OK, HTTP 2xx/3xx). */
  readonly ok: boolean;
  /** What went wrong, when it did (counted as "top errors"). */
  readonly error?: string;
}

/** Latency figures in milliseconds. */
export interface LatencySummary {
  min: number;
  avg: number;
  max: number;
  p50: number;
  p90: number;
  p95: number;
  p99: number;
  p999: number;
}

/** One bar of the latency histogram: calls whose latency is at most `upTo` ms (and above the previous bar). */
export interface HistogramBucket {
  upTo: number;
  count: number;
}

/** The figures of a run, the same for the text report and `--json`. */
export interface Summary {
  /** Calls counted (warm-up excluded). */
  count: number;
  /** Calls that were not ok. */
  errors: number;
  /** Wall time of the measured part of the run, ms. */
  totalMs: number;
  /** Calls per second over the measured part. */
  rps: number;
  latency: LatencySummary;
  histogram: HistogramBucket[];
  /** Calls by status (`OK`, `UNAVAILABLE`, `200`, ...). */
  statuses: Record<string, number>;
  /** The most frequent errors, most frequent first. */
  topErrors: Array<{ error: string; count: number }>;
}

/** The part of hdr-histogram-js's JsHistogram the bar chart reads. */
interface JsHistogramCounts {
  readonly countsArrayLength: number;
  getCountAtIndex(index: number): number;
  valueFromIndex(index: number): number;
}

const HISTOGRAM_BARS = 10;
const TOP_ERRORS = 5;

/** Collects outcomes; cheap enough to call once per request at tens of thousands of calls per second. */
export class Recorder {
  readonly #latency = hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 3_600_000_000,
    numberOfSignificantValueDigits: 3,
  });
  readonly #statuses = new Map<string, number>();
  readonly #errors = new Map<string, number>();
  #count = 0;
  #failed = 0;

  /** Records one call that took `latencyMs`. */
  record(outcome: Outcome, latencyMs: number): void {
    this.#count++;
    this.#latency.recordValue(Math.max(1, Math.round(latencyMs * 1000)));
    this.#statuses.set(outcome.status, (this.#statuses.get(outcome.status) ?? 0) + 1);
    if (!outcome.ok) {
      this.#failed++;
      const error = outcome.error ?? outcome.status;
      this.#errors.set(error, (this.#errors.get(error) ?? 0) + 1);
    }
  }

  /** Calls recorded so far. */
  get count(): number {
    return this.#count;
  }

  /** Calls that failed so far. */
  get errors(): number {
    return this.#failed;
  }

  /** The summary of what was recorded over `totalMs` of measuring. */
  summary(totalMs: number): Summary {
    const h = this.#latency;
    const ms = (us: number) => us / 1000;
    const empty = this.#count === 0;
    const latency: LatencySummary = {
      min: empty ? 0 : ms(h.minNonZeroValue),
      avg: empty ? 0 : ms(h.mean),
      max: empty ? 0 : ms(h.maxValue),
      p50: ms(h.getValueAtPercentile(50)),
      p90: ms(h.getValueAtPercentile(90)),
      p95: ms(h.getValueAtPercentile(95)),
      p99: ms(h.getValueAtPercentile(99)),
      p999: ms(h.getValueAtPercentile(99.9)),
    };
    return {
      count: this.#count,
      errors: this.#failed,
      totalMs,
      rps: totalMs > 0 ? (this.#count * 1000) / totalMs : 0,
      latency,
      histogram: empty ? [] : this.#buckets(latency.min, latency.max),
      statuses: Object.fromEntries([...this.#statuses].sort((a, b) => b[1] - a[1])),
      topErrors: [...this.#errors]
        .sort((a, b) => b[1] - a[1])
        .slice(0, TOP_ERRORS)
        .map(([error, count]) => ({ error, count })),
    };
  }

  /** Ten equal-width bars from min to max, as ghz draws them. */
  #buckets(min: number, max: number): HistogramBucket[] {
    const width = (max - min) / HISTOGRAM_BARS;
    if (width <= 0) return [{ upTo: max, count: this.#count }];
    const buckets: HistogramBucket[] = [];
    let below = 0;
    for (let i = 1; i <= HISTOGRAM_BARS; i++) {
      const upTo = i === HISTOGRAM_BARS ? max : min + width * i;
      const cumulative = i === HISTOGRAM_BARS ? this.#count : this.#countAtOrBelow(upTo);
      buckets.push({ upTo, count: cumulative - below });
      below = cumulative;
    }
    return buckets;
  }

  #countAtOrBelow(ms: number): number {
    const limit = Math.round(ms * 1000);
    let total = 0;
    // The public Histogram interface has no "count at or below"; the JS implementation (the default build) does.
    const h = this.#latency as unknown as JsHistogramCounts;
    for (let i = 0; i < h.countsArrayLength; i++) {
      if (h.valueFromIndex(i) > limit) break;
      total += h.getCountAtIndex(i);
    }
    return total;
  }
}
