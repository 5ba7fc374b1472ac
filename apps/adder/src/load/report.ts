/** The summary, printed like ghz's (text) or as JSON with the same figures. */

import { formatDuration } from './format.ts';
import type { LoadOptions } from './options.ts';
import type { Summary } from './stats.ts';
import type { ThresholdResult } from './thresholds.ts';

/** What `--json` prints. */
export interface JsonReport {
  target: string;
  options: { concurrency: number; connections: number; rps: number; count?: number; durationMs?: number };
  summary: Summary;
  thresholds: Array<{ threshold: string; actual: number; passed: boolean }>;
}

/** A short name for what was called. */
export function describeTarget(options: LoadOptions): string {
  const { target } = options;
  return target.kind === 'grpc'
    ? `gRPC gateway_pattern.adder.v1.Adder/Add at ${target.target}`
    : `HTTP ${target.method} ${target.url.href}`;
}

/** The `--json` document. */
export function jsonReport(
  options: LoadOptions,
  summary: Summary,
  results: readonly ThresholdResult[],
): JsonReport {
  return {
    target: describeTarget(options),
    options: {
      concurrency: options.concurrency,
      connections: options.connections,
      rps: options.rps,
      count: options.count,
      durationMs: options.durationMs,
    },
    summary,
    thresholds: results.map(({ threshold, actual, passed }) => ({
      threshold: threshold.text,
      actual,
      passed,
    })),
  };
}

const BAR_WIDTH = 40;

/** The text report. */
export function textReport(
  options: LoadOptions,
  summary: Summary,
  results: readonly ThresholdResult[],
): string {
  const { latency } = summary;
  const lines = [
    '',
    `Summary (${describeTarget(options)}):`,
    `  Count:         ${summary.count}`,
    `  Total:         ${formatDuration(summary.totalMs)}`,
    `  Slowest:       ${formatDuration(latency.max)}`,
    `  Fastest:       ${formatDuration(latency.min)}`,
    `  Average:       ${formatDuration(latency.avg)}`,
    `  Requests/sec:  ${summary.rps.toFixed(2)}`,
    '',
  ];
  if (summary.histogram.length > 0) {
    lines.push('Response time histogram:');
    const most = Math.max(...summary.histogram.map((bucket) => bucket.count));
    const labels = summary.histogram.map((bucket) => formatDuration(bucket.upTo));
    const labelWidth = Math.max(...labels.map((label) => label.length));
    const countWidth = Math.max(...summary.histogram.map((bucket) => String(bucket.count).length));
    summary.histogram.forEach((bucket, i) => {
      const bar = '∎'.repeat(most === 0 ? 0 : Math.round((bucket.count / most) * BAR_WIDTH));
      lines.push(
        `  ${labels[i]?.padStart(labelWidth)} [${String(bucket.count).padStart(countWidth)}] |${bar}`,
      );
    });
    lines.push('');
    lines.push('Latency distribution:');
    for (const [label, value] of [
      ['50 %', latency.p50],
      ['90 %', latency.p90],
      ['95 %', latency.p95],
      ['99 %', latency.p99],
      ['99.9 %', latency.p999],
    ] as const) {
      lines.push(`  ${label.padStart(6)} in ${formatDuration(value)}`);
    }
    lines.push('');
  }
  lines.push('Status code distribution:');
  for (const [status, count] of Object.entries(summary.statuses))
    lines.push(`  [${status}]  ${count} responses`);
  if (summary.topErrors.length > 0) {
    lines.push('', 'Error distribution:');
    for (const { error, count } of summary.topErrors) lines.push(`  [${count}]  ${error}`);
  }
  if (results.length > 0) {
    lines.push('', 'Thresholds:');
    for (const { threshold, actual, passed } of results) {
      const shown =
        threshold.metric === 'errors' && threshold.percent
          ? `${(actual * 100).toFixed(2)}%`
          : threshold.metric === 'errors' || threshold.metric === 'rps'
            ? actual.toFixed(threshold.metric === 'rps' ? 2 : 0)
            : formatDuration(actual);
      lines.push(`  ${passed ? 'ok  ' : 'FAIL'}  ${threshold.text}  (actual ${shown})`);
    }
  }
  lines.push('');
  return lines.join('\n');
}
