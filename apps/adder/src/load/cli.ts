/**
 * `npm run load -- ...` (from the repository root, or `-w apps/adder`): a ghz-style load client for the adder (gRPC) or any HTTP URL.
 * See {@link USAGE} for the options and exit codes.
 */

import { OptionsError, parseOptions, USAGE } from './options.ts';
import { showProgress } from './progress.ts';
import { jsonReport, textReport } from './report.ts';
import { startRun } from './runner.ts';
import { grpcTarget } from './targets/grpc.ts';
import { httpTarget } from './targets/http.ts';
import type { Target } from './targets/target.ts';
import { evaluateThresholds } from './thresholds.ts';

async function main(argv: readonly string[]): Promise<number> {
  let options: ReturnType<typeof parseOptions>;
  try {
    options = parseOptions(argv);
  } catch (error) {
    if (!(error instanceof OptionsError)) throw error;
    process.stderr.write(`load: ${error.message}\n\n${USAGE}\n`);
    return 2;
  }
  if (options === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }

  const spec = options.target;
  const target: Target =
    spec.kind === 'grpc'
      ? grpcTarget({
          target: spec.target,
          connections: options.connections,
          request: spec.request,
          timeoutMs: options.timeoutMs,
          metadata: spec.metadata,
        })
      : httpTarget({
          url: spec.url,
          method: spec.method,
          headers: spec.headers,
          body: spec.body,
          connections: options.connections,
          timeoutMs: options.timeoutMs,
        });

  const stop = new AbortController();
  process.once('SIGINT', () => stop.abort());
  const running = startRun(target, {
    concurrency: options.concurrency,
    rps: options.rps,
    count: options.count,
    durationMs: options.durationMs,
    warmupCount: options.warmupCount,
    warmupMs: options.warmupMs,
    signal: stop.signal,
  });
  const hideProgress = process.stderr.isTTY ? showProgress(process.stderr, running.progress) : undefined;
  let summary: Awaited<typeof running.done>;
  try {
    summary = await running.done;
  } finally {
    hideProgress?.();
    await target.close();
  }

  const results = evaluateThresholds(options.thresholds, summary);
  if (options.json)
    process.stdout.write(`${JSON.stringify(jsonReport(options, summary, results), null, 2)}\n`);
  else process.stdout.write(textReport(options, summary, results));

  const failed = results.filter((result) => !result.passed);
  if (failed.length > 0) {
    process.stderr.write(
      `load: ${failed.length} threshold(s) failed: ${failed.map((r) => r.threshold.text).join(', ')}\n`,
    );
    return 1;
  }
  if (summary.count > 0 && summary.errors === summary.count && options.thresholds.length === 0) {
    process.stderr.write('load: every call failed (is the target up?)\n');
    return 2;
  }
  return 0;
}

process.exitCode = await main(process.argv.slice(2));
