/**
 * `--threshold` expressions: `p99<20ms`, `p50<=5ms`, `avg<10ms`, `max<1s`, `errors<1%`, `errors=0`,
 * `rps>1000`. Any that fails makes the run exit 1, so a load run can gate a pipeline.
 */

import { GoDurationError, parseGoDuration, toMilliseconds } from '@gateway-pattern/go-duration';
import type { Summary } from './stats.ts';

/** A parsed threshold. */
export interface Threshold {
  /** As written, for the report. */
  readonly text: string;
  readonly metric: 'p50' | 'p90' | 'p95' | 'p99' | 'p99.9' | 'min' | 'avg' | 'max' | 'errors' | 'rps';
  readonly op: '<' | '<=' | '>' | '>=' | '=';
  /** Milliseconds for latencies, a fraction (0..1) for `errors` given in %, a count otherwise. */
  readonly value: number;
  /** `errors` given as a percentage rather than a count. */
  readonly percent: boolean;
}

/** A threshold and whether the run met it. */
export interface ThresholdResult {
  readonly threshold: Threshold;
  readonly actual: number;
  readonly passed: boolean;
}

/** Thrown for a threshold that does not parse; the CLI exits 2. */
export class ThresholdSyntaxError extends Error {}

const LATENCY = new Set(['p50', 'p90', 'p95', 'p99', 'p99.9', 'min', 'avg', 'max']);

function latencyMs(text: string, raw: string): number {
  let ms: number;
  try {
    ms = toMilliseconds(parseGoDuration(raw));
  } catch (error) {
    if (!(error instanceof GoDurationError)) throw error;
    throw new ThresholdSyntaxError(
      `--threshold ${text}: ${raw} is not a duration such as 20ms (${error.message})`,
    );
  }
  if (ms < 0) throw new ThresholdSyntaxError(`--threshold ${text}: a latency cannot be negative`);
  return ms;
}

/** Parses one `--threshold` expression. */
export function parseThreshold(text: string): Threshold {
  const match = /^\s*(p50|p90|p95|p99\.9|p99|min|avg|max|errors|rps)\s*(<=|>=|<|>|=)\s*(\S+)\s*$/.exec(text);
  if (!match) {
    throw new ThresholdSyntaxError(
      `--threshold ${JSON.stringify(text)}: expected <metric><op><value>, e.g. p99<20ms, errors<1%, rps>500 (metrics: p50 p90 p95 p99 p99.9 min avg max errors rps)`,
    );
  }
  const metric = match[1] as Threshold['metric'];
  const op = match[2] as Threshold['op'];
  const raw = match[3] as string;
  if (LATENCY.has(metric)) {
    return { text, metric, op, value: latencyMs(text, raw), percent: false };
  }
  const percent = metric === 'errors' && raw.endsWith('%');
  const value = Number(percent ? raw.slice(0, -1) : raw);
  if (!Number.isFinite(value) || value < 0) {
    throw new ThresholdSyntaxError(`--threshold ${text}: ${raw} is not a non-negative number`);
  }
  return { text, metric, op, value: percent ? value / 100 : value, percent };
}

function actualOf(threshold: Threshold, summary: Summary): number {
  const { latency } = summary;
  switch (threshold.metric) {
    case 'errors':
      return threshold.percent ? (summary.count === 0 ? 0 : summary.errors / summary.count) : summary.errors;
    case 'rps':
      return summary.rps;
    case 'p50':
      return latency.p50;
    case 'p90':
      return latency.p90;
    case 'p95':
      return latency.p95;
    case 'p99':
      return latency.p99;
    case 'p99.9':
      return latency.p999;
    case 'min':
      return latency.min;
    case 'avg':
      return latency.avg;
    case 'max':
      return latency.max;
  }
}

/** Checks every threshold against the run's summary. */
export function evaluateThresholds(thresholds: readonly Threshold[], summary: Summary): ThresholdResult[] {
  return thresholds.map((threshold) => {
    const actual = actualOf(threshold, summary);
    const { op, value } = threshold;
    const passed =
      op === '<'
        ? actual < value
        : op === '<='
          ? actual <= value
          : op === '>'
            ? actual > value
            : op === '>='
              ? actual >= value
              : actual === value;
    return { threshold, actual, passed };
  });
}
