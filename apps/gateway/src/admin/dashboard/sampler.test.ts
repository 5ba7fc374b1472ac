import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Histogram, Registry } from 'prom-client';
import { authDecisionMetrics } from '../../observability/auth-decisions.ts';
import { bucketQuantile } from './quantile.ts';
import { Ring } from './ring.ts';
import { LiveSampler } from './sampler.ts';

describe('bucketQuantile', () => {
  const bounds = [0.1, 0.3, 1.2, 5];

  it("interpolates inside the bucket holding the rank, as Prometheus' histogram_quantile", () => {
    // 10 observations in (0, 0.1], 10 in (0.1, 0.3]: the median is the top of the first bucket.
    assert.equal(bucketQuantile(0.5, bounds, [10, 10, 0, 0, 0]), 0.1);
    // Rank 15 is half-way through the second bucket.
    assert.ok(Math.abs((bucketQuantile(0.75, bounds, [10, 10, 0, 0, 0]) ?? 0) - 0.2) < 1e-12);
    // The first bucket starts at 0.
    assert.ok(Math.abs((bucketQuantile(0.5, bounds, [4, 0, 0, 0, 0]) ?? 0) - 0.05) < 1e-12);
    // p99 of 99 fast and 1 slow request lands at the top of the fast bucket; of 98 and 2, in the slow one.
    assert.equal(bucketQuantile(0.99, bounds, [99, 0, 0, 1, 0]), 0.1);
    assert.ok((bucketQuantile(0.99, bounds, [98, 0, 0, 2, 0]) ?? 0) > 1.2);
  });

  it('gives the highest finite bound for a rank in +Inf, and nothing without observations', () => {
    assert.equal(bucketQuantile(0.99, bounds, [0, 0, 0, 0, 3]), 5);
    assert.equal(bucketQuantile(0.5, bounds, [0, 0, 0, 0, 0]), undefined);
    assert.equal(bucketQuantile(0.5, [], [3]), undefined);
  });

  it('skips empty buckets', () => {
    assert.ok(Math.abs((bucketQuantile(0.5, bounds, [0, 0, 2, 0, 0]) ?? 0) - 0.75) < 1e-12);
  });
});

describe('Ring', () => {
  it('keeps the newest entries up to its capacity, oldest first, and hands back what it drops', () => {
    const ring = new Ring<{ time: number }>(3);
    assert.equal(ring.push({ time: 1 }), undefined);
    ring.push({ time: 2 });
    ring.push({ time: 3 });
    assert.deepEqual(ring.push({ time: 4 }), { time: 1 });
    assert.deepEqual(
      ring.last().map((e) => e.time),
      [2, 3, 4],
    );
    assert.deepEqual(
      ring.last(2).map((e) => e.time),
      [3, 4],
    );
    assert.deepEqual(
      ring.evictBefore(4).map((e) => e.time),
      [2, 3],
    );
    assert.equal(ring.size, 1);
    ring.push({ time: 5 });
    ring.push({ time: 6 });
    assert.deepEqual(
      ring.last().map((e) => e.time),
      [4, 5, 6],
    );
    assert.throws(() => new Ring(0), RangeError);
  });
});

/** A registry with the router and service histograms the gateway's metrics have. */
function traefikRegistry() {
  const registry = new Registry();
  const buckets = [0.1, 0.3, 1.2, 5];
  const router = new Histogram({
    name: 'traefik_router_request_duration_seconds',
    help: 'router',
    labelNames: ['code', 'method', 'protocol', 'router', 'service'],
    buckets,
    registers: [registry],
  });
  const service = new Histogram({
    name: 'traefik_service_request_duration_seconds',
    help: 'service',
    labelNames: ['code', 'method', 'protocol', 'service'],
    buckets,
    registers: [registry],
  });
  const request = (name: string, code: number, seconds: number, method = 'GET') => {
    router.observe(
      { code: String(code), method, protocol: 'http', router: name, service: `${name}-svc` },
      seconds,
    );
    service.observe({ code: String(code), method, protocol: 'http', service: `${name}-svc` }, seconds);
  };
  return { registry, request };
}

describe('LiveSampler', () => {
  it('turns counter deltas into requests, codes, rates and bucket quantiles per router and service', async () => {
    const { registry, request } = traefikRegistry();
    let now = 1_000_000;
    const sampler = new LiveSampler({ registry, now: () => now });
    for (let i = 0; i < 30; i++) request('before', 200, 0.01);
    assert.equal(await sampler.sample(), undefined, 'the first sample is the baseline');

    for (let i = 0; i < 95; i++) request('api', 200, 0.05);
    for (let i = 0; i < 3; i++) request('api', 404, 0.05, 'POST');
    for (let i = 0; i < 2; i++) request('api', 502, 2);
    now += 1000;
    const tick = await sampler.sample();
    assert.ok(tick);
    assert.equal(tick.points.routers.before, undefined, 'requests before the baseline are not counted');
    assert.equal(tick.points.routers.api?.requests, 100);
    const summary = tick.summary.routers.api;
    assert.deepEqual(summary?.codes, { '200': 95, '404': 3, '502': 2 });
    assert.equal(summary?.requests, 100);
    assert.equal(summary?.rps, 100);
    assert.ok(Math.abs((summary?.p50 ?? 0) - 0.05 * (50 / 98) * 2) < 1e-9, String(summary?.p50));
    assert.ok((summary?.p99 ?? 0) > 1.2 && (summary?.p99 ?? 0) <= 5, String(summary?.p99));
    assert.equal(tick.summary.services['api-svc']?.requests, 100, 'services are keyed by their own label');

    // A quiet second: the point goes to 0 requests, the rate over the recent 10 s halves, the window keeps all.
    now += 1000;
    const quiet = await sampler.sample();
    assert.equal(quiet?.points.routers.api?.requests, 0);
    assert.equal(quiet?.summary.routers.api?.rps, 50);
    assert.equal(quiet?.summary.routers.api?.requests, 100);
  });

  it('forgets what left the window, and replays the window to a new watcher', async () => {
    const { registry, request } = traefikRegistry();
    let now = 0;
    const sampler = new LiveSampler({ registry, now: () => now, windowMs: 5000, recentMs: 2000 });
    await sampler.sample();
    request('api', 200, 0.01);
    now += 1000;
    await sampler.sample();
    for (let second = 0; second < 3; second++) {
      now += 1000;
      const tick = await sampler.sample();
      assert.equal(tick?.summary.routers.api?.requests, 1, `still in the window after ${second + 1} s`);
      if (second >= 1) assert.equal(tick?.summary.routers.api?.rps, 0, 'no longer recent');
    }
    now += 2000;
    const later = await sampler.sample();
    assert.equal(later?.summary.routers.api, undefined, 'gone once older than the window');
    const snapshot = sampler.snapshot();
    assert.ok(snapshot.ticks.length <= 5, `the ring holds the window only: ${snapshot.ticks.length}`);
    assert.ok(snapshot.ticks.every((t) => t.time > now - 5000));
    assert.equal(snapshot.last, later);
  });

  it('counts forwardAuth decisions per middleware', async () => {
    const { registry } = traefikRegistry();
    const counters = authDecisionMetrics(registry);
    let now = 0;
    const sampler = new LiveSampler({ registry, now: () => now });
    const auth = counters('auth@file');
    await sampler.sample();
    auth.allowed.inc();
    auth.allowed.inc();
    auth.denied.inc();
    auth.error.inc();
    now += 1000;
    const tick = await sampler.sample();
    assert.deepEqual(tick?.decisions['auth@file'], { allowed: 2, denied: 1, error: 1 });
    assert.deepEqual(tick?.decisionSummary['auth@file'], {
      allowed: 2,
      denied: 1,
      error: 1,
      perSecond: { allowed: 2, denied: 1, error: 1 },
    });
  });

  it('reads nothing while nobody watches, and samples every interval while someone does', async () => {
    const { registry, request } = traefikRegistry();
    let reads = 0;
    const getSingleMetric = registry.getSingleMetric.bind(registry);
    registry.getSingleMetric = (name) => {
      reads++;
      return getSingleMetric(name);
    };
    const sampler = new LiveSampler({ registry, intervalMs: 20 });
    await sleep(100);
    assert.equal(reads, 0);
    assert.equal(sampler.running, false);

    const ticks: number[] = [];
    const unsubscribe = sampler.subscribe((tick) => ticks.push(tick.points.routers.api?.requests ?? 0));
    assert.equal(sampler.running, true);
    assert.equal(sampler.watchers, 1);
    await sleep(50);
    request('api', 200, 0.01);
    while (!ticks.some((n) => n > 0)) await sleep(10);
    unsubscribe();
    assert.equal(sampler.running, false);
    const after = reads;
    await sleep(100);
    assert.equal(reads, after, 'no reads once the last watcher left');
  });

  it('starts from a fresh reading after a pause, so what happened unwatched is not one huge tick', async () => {
    const { registry, request } = traefikRegistry();
    let now = 0;
    const sampler = new LiveSampler({ registry, now: () => now });
    const unsubscribe = sampler.subscribe(() => {});
    await sampler.sample();
    unsubscribe();
    for (let i = 0; i < 500; i++) request('api', 200, 0.01);
    now += 60_000;
    const resumed = sampler.subscribe(() => {});
    await sampler.sample();
    now += 1000;
    request('api', 200, 0.01);
    const tick = await sampler.sample();
    resumed();
    assert.equal(tick?.points.routers.api?.requests, 1);
  });
});
