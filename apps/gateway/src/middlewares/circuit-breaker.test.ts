/**
 * circuitBreaker: the metrics and expressions against oxy's cbreaker tests (the predicates Traefik's
 * middleware uses), then through a gateway: tripping on each function, the fallback answer, recovery back to
 * normal, and a fresh state after a reload.
 */

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { closedPort, startUpstream, type Upstream } from '../testing/harness.ts';
import { type CaseGateway, startCases } from '../testing/middleware-cases.ts';
import { parseCircuitExpression, RoundTripMetrics } from './circuit-breaker.ts';

describe('circuitBreaker expressions (oxy cbreaker predicates)', () => {
  // oxy's test: 100 requests, half of them 502s and 500s, latencies 1..100 ms... here, the ratios it checks.
  const metrics = new RoundTripMetrics();
  const now = 1_000_000;
  for (let i = 0; i < 10; i++) metrics.record(now, 200, 10 + i);
  for (let i = 0; i < 10; i++) metrics.record(now, 502, 100);
  for (let i = 0; i < 5; i++) metrics.record(now, 500, 100);
  const holds = (expression: string) => parseCircuitExpression(expression)({ metrics, now });

  for (const [expression, expected] of [
    ['NetworkErrorRatio() > 0.3', true],
    ['NetworkErrorRatio() < 0.3', false],
    ['ResponseCodeRatio(500, 600, 0, 600) > 0.5', true],
    ['ResponseCodeRatio(500, 600, 0, 600) > 0.7', false],
    ['ResponseCodeRatio(500, 501, 200, 201) == 0.5', true],
    ['LatencyAtQuantileMS(50.0) > 50', true],
    ['LatencyAtQuantileMS(30.0) < 50', true],
    ['NetworkErrorRatio() > 0.9 || LatencyAtQuantileMS(50.0) >= 100', true],
    ['NetworkErrorRatio() > 0.3 && ResponseCodeRatio(500, 600, 0, 600) > 0.9', false],
    ['(NetworkErrorRatio() > 0.9 || NetworkErrorRatio() > 0.3) && LatencyAtQuantileMS(99.0) > 10', true],
  ] as const) {
    it(`${expression} → ${expected}`, () => assert.equal(holds(expression), expected));
  }

  it('no answers: the ratios and latencies are 0', () => {
    const empty = new RoundTripMetrics();
    assert.equal(empty.networkErrorRatio(now), 0);
    assert.equal(empty.responseCodeRatio(now, 500, 600, 0, 600), 0);
    assert.equal(empty.latencyAtQuantileMs(now, 50), 0);
  });

  it('counts only the last 10 seconds', () => {
    assert.equal(metrics.networkErrorRatio(now + 9_000), 0.4);
    assert.equal(metrics.networkErrorRatio(now + 11_000), 0);
  });

  for (const bad of [
    '',
    'NetworkErrorRatio()',
    'Foo() > 1',
    'NetworkErrorRatio( > 1',
    'ResponseCodeRatio(500) > 1',
    '!(NetworkErrorRatio() > 1)',
  ]) {
    it(`refuses ${JSON.stringify(bad)}`, () =>
      assert.throws(() => parseCircuitExpression(bad), /circuitBreaker expression/));
  }
});

describe('circuitBreaker through a gateway', () => {
  let upstream: Upstream;
  let gw: CaseGateway;
  let script: number[] = [];
  let delay = 0;
  const configs = {
    codes: {
      circuitBreaker: {
        expression: 'ResponseCodeRatio(500, 600, 0, 600) > 0.5',
        fallbackDuration: '300ms',
        recoveryDuration: '300ms',
        checkPeriod: '1ms',
      },
    },
    network: { circuitBreaker: { expression: 'NetworkErrorRatio() > 0.5', responseCode: 429 } },
    latency: { circuitBreaker: { expression: 'LatencyAtQuantileMS(50.0) > 80' } },
    badExpression: { circuitBreaker: { expression: 'NetworkErrorRatio() >' } },
  };

  before(async () => {
    upstream = await startUpstream(async (_req, res) => {
      if (delay > 0) await sleep(delay);
      res.writeHead(script.shift() ?? 200);
      res.end('backend');
    });
    gw = await startCases(configs, {
      upstream,
      extra: { services: { down: `http://127.0.0.1:${await closedPort()}` }, serviceOf: { network: 'down' } },
    });
  });
  after(async () => {
    await gw.close();
    await upstream.close();
  });

  it('trips on 5xx answers, falls back with 503, recovers gradually, then serves normally', async () => {
    script = [500];
    assert.equal((await gw.send('codes', '/')).status, 500);
    const count = upstream.received.length;
    const fallback = await gw.send('codes', '/');
    assert.equal(fallback.status, 503);
    assert.equal(fallback.body, 'Service Unavailable');
    assert.equal(upstream.received.length, count, 'the backend is not called while tripped');
    // After fallbackDuration: recovering, a growing share of requests gets through.
    await sleep(320);
    const during: number[] = [];
    for (let i = 0; i < 20; i++) {
      during.push((await gw.send('codes', '/')).status);
      await sleep(10);
    }
    assert.ok(during.includes(200) && during.includes(503), during.join(','));
    // After recoveryDuration: standby.
    await sleep(320);
    assert.deepEqual(
      await Promise.all([1, 2, 3].map(() => gw.send('codes', '/').then((r) => r.status))),
      [200, 200, 200],
    );
  });

  it('NetworkErrorRatio(): 502s from a server that is down trip it; responseCode is the fallback status', async () => {
    assert.equal((await gw.send('network', '/')).status, 502);
    const reply = await gw.send('network', '/');
    assert.equal(reply.status, 429);
    assert.equal(reply.body, 'Too Many Requests');
  });

  it('LatencyAtQuantileMS(): slow answers trip it', async () => {
    delay = 120;
    assert.equal((await gw.send('latency', '/')).status, 200);
    delay = 0;
    assert.equal((await gw.send('latency', '/')).status, 503);
  });

  it('a reload starts with a closed circuit, as Traefik rebuilds its middlewares', async () => {
    assert.equal((await gw.send('network', '/')).status, 429);
    await gw.replace(
      { ...configs, extra: { circuitBreaker: { expression: 'NetworkErrorRatio() > 0.9' } } },
      {
        services: { down: 'http://127.0.0.1:1' },
        serviceOf: { network: 'down' },
      },
    );
    assert.equal((await gw.send('network', '/')).status, 502);
  });

  it('an invalid expression is refused at load', async () => {
    assert.equal((await gw.send('badExpression', '/')).status, 404);
  });
});
