import assert from 'node:assert/strict';
import { it } from 'node:test';
import { median, rotate, type Series } from './rounds.ts';
import type { WrkOptions, WrkResult } from './wrk.ts';

it('takes the median, the mean of the middle two for an even count', () => {
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([4, 1, 3, 2]), 2.5);
  assert.ok(Number.isNaN(median([])));
});

it('alternates the order each round, after a warm-up of each, and sums up by medians', async () => {
  const calls: string[] = [];
  const figures: Record<string, number[]> = { a: [100, 300, 200], b: [10, 30, 20] };
  const load = async (options: WrkOptions): Promise<WrkResult> => {
    const name = options.url.endsWith('a') ? 'a' : 'b';
    calls.push(`${name}${options.durationSec}`);
    const rps = options.durationSec === 0.5 ? 1 : (figures[name]?.shift() ?? 0);
    return {
      requestsPerSec: rps,
      p50: rps / 100,
      p90: rps / 50,
      p99: rps / 10,
      errors: name === 'b' ? 1 : 0,
      requests: rps,
    };
  };
  const [a, b] = (await rotate(
    [
      { url: 'http://x/a', headers: {} },
      { url: 'http://x/b', headers: {} },
    ],
    { rounds: 3, durationSec: 2, warmupSec: 0.5, connections: 4 },
    load,
  )) as [Series, Series];
  assert.deepEqual(calls, ['a0.5', 'b0.5', 'a2', 'b2', 'b2', 'a2', 'a2', 'b2']);
  assert.equal(a.rps, 200);
  assert.equal(b.rps, 20);
  assert.equal(a.p99, 20);
  assert.equal(b.errors, 3, 'errors of the measured rounds only');
});

it('rotates three targets so that each takes every place in the order', async () => {
  const calls: string[] = [];
  const load = async (options: WrkOptions): Promise<WrkResult> => {
    const name = options.url.slice(-1);
    calls.push(name);
    const rps = { a: 300, b: 200, c: 100 }[name] ?? 0;
    return { requestsPerSec: rps, p50: 1, p90: 2, p99: 3, errors: 0, requests: rps };
  };
  const series = await rotate(
    ['a', 'b', 'c'].map((name) => ({ url: `http://x/${name}`, headers: {} })),
    { rounds: 3, durationSec: 1, warmupSec: 0, connections: 4 },
    load,
  );
  assert.deepEqual(calls.join(''), 'abcbcacab');
  assert.deepEqual(
    series.map((s) => [s.rps, s.runs.length]),
    [
      [300, 3],
      [200, 3],
      [100, 3],
    ],
  );
});
