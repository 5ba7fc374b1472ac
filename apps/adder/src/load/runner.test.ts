import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type RunningAdder, startAdder } from '../testing/adder.ts';
import { run } from './runner.ts';
import type { Outcome } from './stats.ts';
import { grpcTarget } from './targets/grpc.ts';
import { httpTarget } from './targets/http.ts';
import type { Target } from './targets/target.ts';

let adder: RunningAdder;
before(async () => {
  adder = await startAdder();
});
after(() => adder.close());

/** A target whose calls take `ms`, counting them. */
function slowTarget(ms: number): Target & { calls: number } {
  const target = {
    calls: 0,
    call(): Promise<Outcome> {
      target.calls++;
      return new Promise((resolve) => setTimeout(() => resolve({ status: 'OK', ok: true }), ms));
    },
    async close() {},
  };
  return target;
}

describe('run against the real adder', () => {
  it('makes exactly --count calls over gRPC and records them all', async () => {
    const target = grpcTarget({
      target: adder.grpcTarget,
      connections: 2,
      request: { x: 1, y: 2 },
      timeoutMs: 5000,
    });
    const summary = await run(target, { concurrency: 8, count: 300 });
    await target.close();
    assert.equal(summary.count, 300);
    assert.equal(summary.errors, 0);
    assert.deepEqual(summary.statuses, { OK: 300 });
    assert.ok(summary.rps > 0);
    assert.ok(summary.latency.min > 0 && summary.latency.min <= summary.latency.p50);
    assert.ok(
      summary.latency.p50 <= summary.latency.p99 && summary.latency.p99 <= summary.latency.max * 1.001,
    );
  });

  it('counts gRPC errors by status with their message', async () => {
    const target = grpcTarget({
      target: adder.grpcTarget,
      connections: 1,
      request: { x: '9223372036854775807', y: 1 },
      timeoutMs: 5000,
    });
    const summary = await run(target, { concurrency: 2, count: 20 });
    await target.close();
    assert.equal(summary.errors, 20);
    assert.deepEqual(summary.statuses, { INVALID_ARGUMENT: 20 });
    assert.match(summary.topErrors[0]?.error ?? '', /^INVALID_ARGUMENT: .*overflows int64/);
  });

  it('calls an HTTP URL and counts status codes', async () => {
    const good = httpTarget({
      url: new URL('/add/10/10', adder.httpUrl),
      method: 'GET',
      headers: {},
      connections: 2,
      timeoutMs: 5000,
    });
    const ok = await run(good, { concurrency: 4, count: 100 });
    await good.close();
    assert.deepEqual(ok.statuses, { '200': 100 });
    const bad = httpTarget({
      url: new URL('/add/x/1', adder.httpUrl),
      method: 'GET',
      headers: {},
      connections: 1,
      timeoutMs: 5000,
    });
    const refused = await run(bad, { concurrency: 1, count: 5 });
    await bad.close();
    assert.deepEqual(refused.statuses, { '400': 5 });
    assert.equal(refused.errors, 5);
  });
});

describe('schedules', () => {
  it('keeps a constant rate and runs for the duration', async () => {
    const target = slowTarget(1);
    const started = performance.now();
    const summary = await run(target, { concurrency: 4, rps: 200, durationMs: 500 });
    const wall = performance.now() - started;
    // 200/s for 0.5 s: calls are due at 0, 5, ... 495 ms, and every due call is made, even a late one.
    assert.equal(summary.count, 100);
    assert.equal(target.calls, 100);
    // The last call answers before the end: the run counts as lasting its duration (floating point aside).
    assert.ok(
      summary.totalMs > 499.9 && summary.totalMs <= Math.max(500, wall) + 1e-6,
      `${summary.totalMs} of ${wall}`,
    );
  });

  it('counts the calls due before the end of a duration run that answer after it, with their full latency', async () => {
    // Due every 10 ms for 300 ms: 30 calls. Those made from 200 ms on stall for 400 ms, so they answer
    // after the run's end; dropping them would hide the stall (and undo the coordinated-omission correction).
    let firstCall: number | undefined;
    let stalled = 0;
    const target: Target = {
      call(): Promise<Outcome> {
        const now = performance.now();
        firstCall ??= now;
        const stall = now - firstCall >= 200;
        if (stall) stalled++;
        return new Promise((resolve) =>
          setTimeout(() => resolve({ status: 'OK', ok: true }), stall ? 400 : 1),
        );
      },
      async close() {},
    };
    const summary = await run(target, { concurrency: 30, rps: 100, durationMs: 300 });
    assert.ok(stalled >= 5, `stalled ${stalled}`);
    assert.equal(summary.count, 30);
    const slow = summary.histogram.filter((bar) => bar.upTo >= 400).reduce((sum, bar) => sum + bar.count, 0);
    assert.ok(summary.latency.max >= 400, `max ${summary.latency.max}`);
    // Every stalled call is in the histogram with its 400 ms (the bar holding 400 may start a little below it).
    assert.ok(slow >= stalled, `${slow} calls at 400 ms or more, ${stalled} stalled`);
    // The run lasted until the last of them answered.
    assert.ok(summary.totalMs >= 600, `total ${summary.totalMs}`);
  });

  it('measures latency from the intended send time when the target stalls (no coordinated omission)', async () => {
    // One call in flight at a time, each taking 50 ms, but due every 10 ms: calls queue, and their latency
    // must include the time they waited, so p90 is far above the 50 ms service time.
    const target = slowTarget(50);
    const summary = await run(target, { concurrency: 1, rps: 100, count: 10 });
    assert.equal(summary.count, 10);
    assert.ok(summary.latency.p50 > 150, `p50 ${summary.latency.p50}`);
    assert.ok(summary.latency.max > 350, `max ${summary.latency.max}`);
  });

  it('makes warm-up calls without recording them', async () => {
    const target = slowTarget(1);
    const summary = await run(target, { concurrency: 2, count: 20, warmupCount: 10 });
    assert.equal(summary.count, 20);
    assert.equal(target.calls, 30);
  });

  it('counts --count after a warm-up by time', async () => {
    const target = slowTarget(1);
    const summary = await run(target, { concurrency: 2, count: 20, warmupMs: 100 });
    assert.equal(summary.count, 20);
    assert.ok(target.calls > 20, String(target.calls));
  });

  it('stops early on abort and summarises what it recorded', async () => {
    const target = slowTarget(5);
    const stop = new AbortController();
    setTimeout(() => stop.abort(), 100);
    const summary = await run(target, { concurrency: 2, durationMs: 60_000, signal: stop.signal });
    assert.ok(summary.count > 0 && summary.count < 200, String(summary.count));
    assert.ok(summary.totalMs < 1000);
  });
});
