import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Recorder } from './stats.ts';
import { evaluateThresholds, parseThreshold } from './thresholds.ts';

describe('Recorder', () => {
  it('summarises latencies, statuses and errors', () => {
    const recorder = new Recorder();
    for (let ms = 1; ms <= 100; ms++) recorder.record({ status: 'OK', ok: true }, ms);
    recorder.record({ status: 'UNAVAILABLE', ok: false, error: 'UNAVAILABLE: down' }, 1000);
    recorder.record({ status: 'UNAVAILABLE', ok: false, error: 'UNAVAILABLE: down' }, 1000);
    const summary = recorder.summary(2000);
    assert.equal(summary.count, 102);
    assert.equal(summary.errors, 2);
    assert.equal(summary.rps, 51);
    assert.ok(Math.abs(summary.latency.p50 - 51) < 0.1, String(summary.latency.p50));
    assert.ok(Math.abs(summary.latency.p90 - 92) < 0.1, String(summary.latency.p90));
    assert.equal(summary.latency.min, 1);
    assert.ok(Math.abs(summary.latency.max - 1000) < 1);
    assert.deepEqual(summary.statuses, { OK: 100, UNAVAILABLE: 2 });
    assert.deepEqual(summary.topErrors, [{ error: 'UNAVAILABLE: down', count: 2 }]);
    assert.equal(summary.histogram.length, 10);
    assert.equal(
      summary.histogram.reduce((sum, bucket) => sum + bucket.count, 0),
      102,
    );
    assert.equal(summary.histogram[0]?.count, 100);
  });

  it('summarises an empty run without NaN', () => {
    const summary = new Recorder().summary(0);
    assert.equal(summary.count, 0);
    assert.equal(summary.rps, 0);
    assert.equal(summary.latency.max, 0);
    assert.deepEqual(summary.histogram, []);
  });
});

describe('thresholds', () => {
  it('pass and fail on the summary figures', () => {
    const recorder = new Recorder();
    for (let i = 0; i < 99; i++) recorder.record({ status: 'OK', ok: true }, 5);
    recorder.record({ status: 'INTERNAL', ok: false }, 5);
    const summary = recorder.summary(1000);
    const results = evaluateThresholds(
      ['p99<10ms', 'p99<1ms', 'errors<=1%', 'errors=0', 'rps>=100', 'avg<5.1ms'].map(parseThreshold),
      summary,
    );
    assert.deepEqual(
      results.map((result) => result.passed),
      [true, false, true, false, true, true],
    );
  });
});
