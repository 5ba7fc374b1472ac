import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type RunningAdder, startAdder } from '../testing/adder.ts';

const cli = fileURLToPath(new URL('./cli.ts', import.meta.url));

function load(...argv: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cli, ...argv], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk;
    });
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

let adder: RunningAdder;
before(async () => {
  adder = await startAdder();
});
after(() => adder.close());

describe('load CLI', () => {
  it('prints a ghz-like summary and exits 0 when thresholds hold', async () => {
    const { code, stdout, stderr } = await load(
      '--target',
      adder.grpcTarget,
      '-n',
      '200',
      '--threshold',
      'errors=0',
    );
    assert.equal(code, 0, stderr);
    for (const heading of [
      'Count:         200',
      'Requests/sec:',
      'Response time histogram:',
      'Latency distribution:',
      '99 % in',
      '[OK]  200 responses',
      'ok    errors=0',
    ]) {
      assert.ok(stdout.includes(heading), `${heading}\n${stdout}`);
    }
    assert.equal(stderr, '', 'no progress line when stderr is not a terminal');
  });

  it('writes the same figures as JSON', async () => {
    const { code, stdout } = await load(
      '--target',
      adder.grpcTarget,
      '-n',
      '100',
      '--json',
      '--data',
      '{"x": 2, "y": 3}',
    );
    assert.equal(code, 0);
    const report = JSON.parse(stdout) as {
      summary: {
        count: number;
        rps: number;
        latency: Record<string, number>;
        statuses: Record<string, number>;
        histogram: unknown[];
      };
      options: { concurrency: number };
    };
    assert.equal(report.summary.count, 100);
    assert.deepEqual(report.summary.statuses, { OK: 100 });
    assert.deepEqual(Object.keys(report.summary.latency).sort(), [
      'avg',
      'max',
      'min',
      'p50',
      'p90',
      'p95',
      'p99',
      'p999',
    ]);
    assert.ok(report.summary.histogram.length > 0);
    assert.equal(report.options.concurrency, 10);
  });

  it('exits 1 naming the threshold that failed', async () => {
    const { code, stderr, stdout } = await load(
      '--target',
      adder.grpcTarget,
      '-n',
      '50',
      '--threshold',
      'p99<1us',
    );
    assert.equal(code, 1);
    assert.match(stderr, /1 threshold\(s\) failed: p99<1us/);
    assert.match(stdout, /FAIL {2}p99<1us/);
  });

  it('calls HTTP URLs with headers', async () => {
    const { code, stdout } = await load(
      '--http',
      new URL('/add/10/10', adder.httpUrl).href,
      '-H',
      'X-Test: 1',
      '-n',
      '20',
      // Not a whole number of milliseconds, which undici refuses unless the client rounds it.
      '--timeout',
      '5s250us',
      '--json',
    );
    assert.equal(code, 0);
    assert.deepEqual((JSON.parse(stdout) as { summary: { statuses: object } }).summary.statuses, {
      '200': 20,
    });
  });

  it('runs for a composite Go duration at a constant rate', async () => {
    const { code, stdout, stderr } = await load(
      '--target',
      adder.grpcTarget,
      '--rps',
      '20',
      '-z',
      '1s250ms',
      '--json',
    );
    assert.equal(code, 0, stderr);
    const report = JSON.parse(stdout) as { summary: { count: number; totalMs: number } };
    assert.equal(report.summary.totalMs, 1250);
    assert.equal(report.summary.count, 25);
  });

  it('exits 2 on bad options, with the usage', async () => {
    const { code, stderr } = await load('--rps', 'fast');
    assert.equal(code, 2);
    assert.match(stderr, /^load: --rps must be an integer/);
    assert.match(stderr, /usage: npm run load/);
  });

  it('exits 2 when every call fails', async () => {
    const { code, stderr } = await load('--target', '127.0.0.1:1', '-n', '3', '--timeout', '2s');
    assert.equal(code, 2);
    assert.match(stderr, /every call failed/);
  });
});
