/**
 * retry through a gateway, against the cases of Traefik v3.7's `pkg/middlewares/retry/retry_test.go`: faulty
 * servers (nothing listening) retried through the load balancer, the last answer delivered when attempts run
 * out, backoff, status-code retries with the body replayed, maxRequestBodyBytes, timeout, non-idempotent
 * methods, disableRetryOnNetworkError, and answers made before the proxy never retried.
 */

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { closedPort, startUpstream, type Upstream } from '../testing/harness.ts';
import { assertRefused, type CaseGateway, startCases } from '../testing/middleware-cases.ts';

describe("retry: Traefik's cases", () => {
  let upstream: Upstream;
  let gw: CaseGateway;
  // The statuses the backend answers with next (then 200), and how long it waits first.
  let script: number[] = [];
  let delay = 0;

  before(async () => {
    upstream = await startUpstream(async (req, res, body) => {
      if (delay > 0) await sleep(delay);
      res.writeHead(script.shift() ?? 200, { 'x-body': body });
      res.end(`answered ${req.method}`);
    });
    const down = `http://127.0.0.1:${await closedPort()}`;
    const down2 = `http://127.0.0.1:${await closedPort()}`;
    gw = await startCases(
      {
        five: { retry: { attempts: 5 } },
        one: { retry: { attempts: 1 } },
        two: { retry: { attempts: 2 } },
        three: { retry: { attempts: 3 } },
        exhausted: { retry: { attempts: 3 } },
        backoff: { retry: { attempts: 3, initialInterval: '50ms' } },
        on503: { retry: { attempts: 3, status: ['503'], maxRequestBodyBytes: 1024 } },
        range5xx: { retry: { attempts: 4, status: ['500-599'], maxRequestBodyBytes: 1024 } },
        several: { retry: { attempts: 3, status: ['502', '503', '504'], maxRequestBodyBytes: 1024 } },
        smallBody: { retry: { attempts: 3, status: ['502'], maxRequestBodyBytes: 8 } },
        timeout: { retry: { attempts: 5, status: ['503'], timeout: '50ms' } },
        post: {
          retry: { attempts: 3, status: ['503'], retryNonIdempotentMethod: true, maxRequestBodyBytes: 1024 },
        },
        noNetwork: { retry: { attempts: 3, status: ['503'], disableRetryOnNetworkError: true } },
        auth: { basicAuth: { users: ['u:$2y$04$u'] } },
        beforeProxy: { chain: { middlewares: ['three', 'auth'] } },
        zero: { retry: { attempts: 0 } },
        badStatus: { retry: { attempts: 2, status: ['5xx'] } },
        nothingToRetry: { retry: { attempts: 2, disableRetryOnNetworkError: true } },
      },
      {
        upstream,
        extra: {
          services: {
            oneDown: [down, upstream.url],
            twoDown: [down, down2, upstream.url],
            allDown: [down, down2, down],
          },
          serviceOf: {
            one: 'oneDown',
            two: 'oneDown',
            three: 'twoDown',
            exhausted: 'allDown',
            backoff: 'allDown',
            noNetwork: 'oneDown',
            beforeProxy: 'allDown',
          },
        },
      },
    );
  });
  after(async () => {
    await gw.close();
    await upstream.close();
  });

  const statuses = async (name: string, count: number, init = {}) => {
    const out: number[] = [];
    for (let i = 0; i < count; i++) out.push((await gw.send(name, '/', init)).status);
    return out;
  };

  it('no retry on success', async () => {
    const count = upstream.received.length;
    assert.equal((await gw.send('five', '/')).status, 200);
    assert.equal(upstream.received.length, count + 1);
  });

  it('no retry when attempts is one: a server that is down gives 502', async () => {
    // Round robin over [down, up]: one request in two meets the server that is down.
    assert.deepEqual((await statuses('one', 2)).sort(), [200, 502]);
  });

  it('one retry when one server of two is down: every request succeeds', async () => {
    assert.deepEqual(await statuses('two', 4), [200, 200, 200, 200]);
  });

  it('two retries when two servers of three are down', async () => {
    assert.deepEqual(await statuses('three', 3), [200, 200, 200]);
  });

  it('attempts exhausted: the last answer (502) is delivered', async () => {
    const reply = await gw.send('exhausted', '/');
    assert.equal(reply.status, 502);
    assert.equal(reply.body, 'Bad Gateway');
  });

  it('initialInterval: the attempts are spaced by a growing, randomized wait', async () => {
    const started = performance.now();
    assert.equal((await gw.send('backoff', '/')).status, 502);
    // Two waits: about 50 ms and 70 ms, each ±50%.
    assert.ok(performance.now() - started >= 55, `${performance.now() - started} ms`);
  });

  for (const [desc, name, answers, status, calls, init] of [
    [
      'retry on a single 503, the body replayed',
      'on503',
      [503],
      200,
      2,
      { method: 'PUT', body: 'test request body' },
    ],
    [
      'retry on a range of 5xx',
      'range5xx',
      [500, 502, 503],
      200,
      4,
      { body: 'test request body', method: 'PUT' },
    ],
    ['retry on several specific codes', 'several', [502], 200, 2, {}],
    ['no retry on a code not listed', 'on503', [500], 500, 1, {}],
    ['attempts exhausted on matching codes: the last is delivered', 'on503', [503, 503, 503], 503, 3, {}],
    [
      'a body over maxRequestBodyBytes is not retried',
      'smallBody',
      [502],
      502,
      1,
      { method: 'PUT', body: 'test request body' },
    ],
    [
      'POST is not retried on a status',
      'on503',
      [503],
      503,
      1,
      { method: 'POST', body: 'test request body' },
    ],
    [
      'POST is retried with retryNonIdempotentMethod',
      'post',
      [503],
      200,
      2,
      { method: 'POST', body: 'test request body' },
    ],
  ] as const) {
    it(desc, async () => {
      script = [...answers];
      const count = upstream.received.length;
      const reply = await gw.send(name, '/', init);
      script = [];
      assert.equal(reply.status, status);
      assert.equal(upstream.received.length, count + calls);
      const body = (init as { body?: string }).body;
      if (body !== undefined) {
        for (const received of upstream.received.slice(count)) assert.equal(received.body, body);
        assert.equal(reply.headers['x-body'], body);
      }
    });
  }

  it('timeout: once it has passed, the answer in hand is delivered', async () => {
    script = [503, 503, 503, 503, 503];
    delay = 60;
    const count = upstream.received.length;
    const reply = await gw.send('timeout', '/');
    script = [];
    delay = 0;
    assert.equal(reply.status, 503);
    assert.equal(upstream.received.length, count + 1);
  });

  it('disableRetryOnNetworkError: a server that is down is not retried', async () => {
    assert.deepEqual((await statuses('noNetwork', 2)).sort(), [200, 502]);
  });

  it('an answer made before the proxy (basicAuth 401) is not retried', async () => {
    const reply = await gw.send('beforeProxy', '/');
    assert.equal(reply.status, 401);
  });

  for (const [name, error] of [
    ['zero', /incorrect \(or empty\) value for attempt \(0\)/],
    ['badStatus', /invalid status code range "5xx"/],
    ['nothingToRetry', /requires at least HTTP status codes or retry on TCP/],
  ] as const) {
    it(`refused at load: ${name}`, async () => {
      await assertRefused(gw, name, error);
    });
  }
});
