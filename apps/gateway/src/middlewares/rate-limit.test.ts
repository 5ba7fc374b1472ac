/**
 * rateLimit: the token bucket and Traefik's derived values against `rate_limiter_test.go` (maxDelay, no limit
 * at average 0, the load cases run on a simulated clock), then through a gateway: the wait within maxDelay,
 * 429 with Retry-After / X-Retry-In beyond it, the sources, and full buckets after a reload.
 */

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assertRefused, type CaseGateway, startCases } from '../testing/middleware-cases.ts';
import { goDuration, rateOf, TokenBucket } from './rate-limit.ts';

describe("rateLimit: Traefik's derived values", () => {
  it('maxDelay: half the interval at the rate (200/s: 2.5 ms); 500 ms below 1/s; no limit at average 0', () => {
    assert.equal(rateOf({ average: 200, period: 1000 }).maxDelay, 2.5);
    assert.equal(rateOf({ average: 2, period: 10_000 }).maxDelay, 500);
    assert.equal(rateOf({ average: 0, period: 1000 }).rate, Number.POSITIVE_INFINITY);
    // Go truncates the rate first: 3 per 2 s (1.5/s) allows 500 ms.
    assert.equal(rateOf({ average: 3, period: 2000 }).maxDelay, 500);
    assert.equal(rateOf({ average: 50, period: 0 }).rate, 50, 'period 0 means 1 s');
    assert.throws(() => rateOf({ average: 1, period: -1 }), /negative value not valid for period/);
  });

  it("formats X-Retry-In as Go's Duration.String()", () => {
    assert.equal(goDuration(2.5), '2.5ms');
    assert.equal(goDuration(1500), '1.5s');
    assert.equal(goDuration(90_000), '1m30s');
    assert.equal(goDuration(0.001), '1µs');
    assert.equal(goDuration(59_981.234567), '59.981234567s');
    assert.equal(goDuration(0), '0s');
  });

  // Traefik's TestInMemoryRateLimit: requests at `load` per second for `seconds` (after an initial `burst` of
  // back-to-back ones) must pass at rate × duration + burst, within 2% above and 5% below.
  const loads = [
    { desc: 'average is respected', average: 100, period: 1000, burst: 1, load: 400, seconds: 2, initial: 0 },
    {
      desc: 'burst allowed, no bursty traffic',
      average: 100,
      period: 1000,
      burst: 100,
      load: 200,
      seconds: 2,
      initial: 0,
    },
    {
      desc: 'burst allowed, initial burst, under capacity',
      average: 100,
      period: 1000,
      burst: 100,
      load: 200,
      seconds: 2,
      initial: 50,
    },
    {
      desc: 'burst allowed, initial burst, over capacity',
      average: 100,
      period: 1000,
      burst: 100,
      load: 200,
      seconds: 2,
      initial: 150,
    },
    {
      desc: 'burst over average, initial burst, over capacity',
      average: 100,
      period: 1000,
      burst: 200,
      load: 200,
      seconds: 2,
      initial: 300,
    },
    { desc: 'lower than 1/s', average: 5, period: 10_000, burst: 1, load: 100, seconds: 2, initial: 0 },
    {
      desc: 'lower than 1/s, longer',
      average: 5,
      period: 10_000,
      burst: 1,
      load: 100,
      seconds: 60,
      initial: 0,
    },
    {
      desc: 'lower than 1/s, longer, harsher',
      average: 1,
      period: 60_000,
      burst: 1,
      load: 100,
      seconds: 60,
      initial: 0,
    },
    { desc: 'period below 1 second', average: 50, period: 500, burst: 1, load: 300, seconds: 2, initial: 0 },
  ];
  for (const c of loads) {
    it(`load: ${c.desc}`, () => {
      const { rate, maxDelay } = rateOf(c);
      const bucket = new TokenBucket(rate, c.burst, 0);
      let now = 0;
      let passed = 0;
      const end = c.seconds * 1000;
      // As Traefik's test: a request that has to wait for its token blocks the sender for that long.
      const sendOne = () => {
        const delay = bucket.reserve(now);
        if (delay > maxDelay) bucket.cancel();
        else {
          passed++;
          now += delay;
        }
      };
      // Back to back: each send takes a little time (0.1 ms) even when refused.
      while (passed < c.initial && now <= end) {
        sendOne();
        now += 0.1;
      }
      for (; now <= end; now += 1000 / c.load) sendOne();
      const want = Math.trunc((rate * c.seconds * 1000) / 1000) + c.burst;
      assert.ok(passed <= Math.trunc((want * 102) / 100), `${passed} passed, wanted at most ${want} + 2%`);
      assert.ok(passed >= Math.trunc((want * 95) / 100), `${passed} passed, wanted at least ${want} - 5%`);
    });
  }
});

describe('rateLimit through a gateway', () => {
  let gw: CaseGateway;
  const configs = {
    slow: { rateLimit: { average: 1, period: '1m', burst: 2 } },
    twoPerSecond: { rateLimit: { average: 2, burst: 1 } },
    byHeader: {
      rateLimit: { average: 1, period: '1m', sourceCriterion: { requestHeaderName: 'X-Api-Key' } },
    },
    byHost: { rateLimit: { average: 1, period: '1m', sourceCriterion: { requestHost: true } } },
    byForwardedFor: {
      rateLimit: { average: 1, period: '1m', sourceCriterion: { ipStrategy: { depth: 1 } } },
    },
    unlimited: { rateLimit: { average: 0 } },
    exclusive: { rateLimit: { average: 1, sourceCriterion: { ipStrategy: {}, requestHeaderName: 'Foo' } } },
    redis: { rateLimit: { average: 1, redis: { endpoints: ['localhost:6379'] } } },
  };
  before(async () => {
    gw = await startCases(configs);
  });
  after(() => gw.close());

  it('burst requests pass, the next gets 429 with Retry-After and X-Retry-In', async () => {
    assert.equal((await gw.send('slow', '/')).status, 200);
    assert.equal((await gw.send('slow', '/')).status, 200);
    const count = gw.upstream.received.length;
    const refused = await gw.send('slow', '/');
    assert.equal(refused.status, 429);
    assert.equal(refused.body, 'Too Many Requests');
    assert.equal(refused.headers['retry-after'], '60');
    assert.match(String(refused.headers['x-retry-in']), /^(59\.\d+|60)s$/);
    assert.equal(gw.upstream.received.length, count, 'the backend is not called');
    // The refused request gave its token back: the next one is refused for as long, not twice as long.
    assert.equal((await gw.send('slow', '/')).headers['retry-after'], '60');
  });

  it('a request whose token is due within maxDelay waits for it instead of being refused', async () => {
    // 2/s: a token every 500 ms, maxDelay 250 ms.
    assert.equal((await gw.send('twoPerSecond', '/')).status, 200);
    await new Promise((resolve) => setTimeout(resolve, 320));
    const started = performance.now();
    assert.equal((await gw.send('twoPerSecond', '/')).status, 200);
    assert.ok(performance.now() - started >= 120, 'it waited for its token');
    const refused = await gw.send('twoPerSecond', '/');
    assert.equal(refused.status, 429);
    assert.equal(refused.headers['retry-after'], '1');
    assert.match(String(refused.headers['x-retry-in']), /^\d+(\.\d+)?ms$/);
  });

  it('sources: one bucket per header value, per Host, per X-Forwarded-For address', async () => {
    for (const [name, first, second] of [
      ['byHeader', { 'x-api-key': 'a' }, { 'x-api-key': 'b' }],
      ['byHost', { host: 'a.example' }, { host: 'b.example' }],
      ['byForwardedFor', { 'x-forwarded-for': '10.0.0.1' }, { 'x-forwarded-for': '10.0.0.2' }],
    ] as const) {
      assert.equal((await gw.send(name, '/', { headers: first })).status, 200, name);
      assert.equal((await gw.send(name, '/', { headers: first })).status, 429, name);
      assert.equal((await gw.send(name, '/', { headers: second })).status, 200, name);
    }
  });

  it('average 0: no limit', async () => {
    for (let i = 0; i < 5; i++) assert.equal((await gw.send('unlimited', '/')).status, 200);
  });

  it('refused at load: criteria together, redis', async () => {
    for (const [name, error] of [
      ['exclusive', /iPStrategy and RequestHeaderName are mutually exclusive/],
      ['redis', /rateLimit\.redis: a Redis-backed rateLimit is not supported/],
    ] as const) {
      await assertRefused(gw, name, error);
    }
  });

  it('a reload starts with full buckets, as Traefik rebuilds its middlewares', async () => {
    const key = { headers: { 'x-api-key': 'reload' } };
    assert.equal((await gw.send('byHeader', '/', key)).status, 200);
    assert.equal((await gw.send('byHeader', '/', key)).status, 429);
    await gw.replace({ ...configs, extra: { rateLimit: { average: 5 } } });
    assert.equal((await gw.send('byHeader', '/', key)).status, 200);
  });
});
