/**
 * buffering through a gateway, against the cases of Traefik's `buffering_test.go` (413 for a request over
 * maxRequestBodyBytes, 500 for an answer over maxResponseBodyBytes) and oxy's retry expression.
 */

import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { request } from 'undici';
import { startUpstream, type Upstream } from '../testing/harness.ts';
import { assertRefused, type CaseGateway, startCases } from '../testing/middleware-cases.ts';

describe('buffering', () => {
  let upstream: Upstream;
  let gw: CaseGateway;
  // How many more requests the backend answers with `x-fail-status` before answering 200.
  let failures = 0;
  before(async () => {
    upstream = await startUpstream((req, res, received) => {
      if (failures > 0 && req.headers['x-fail-status']) {
        failures--;
        res.writeHead(Number(req.headers['x-fail-status']));
        res.end('failed');
        return;
      }
      const size = Number(req.headers['x-size'] ?? 0);
      res.end(
        size > 0
          ? 'b'.repeat(size)
          : JSON.stringify({
              url: req.url,
              body: received,
              length: req.headers['content-length'],
              chunked: req.headers['transfer-encoding'] ?? null,
            }),
      );
    });
    gw = await startCases(
      {
        unlimited: { buffering: {} },
        smallRequest: { buffering: { maxRequestBodyBytes: 1 } },
        request10: { buffering: { maxRequestBodyBytes: 10 } },
        smallResponse: { buffering: { maxResponseBodyBytes: 1 } },
        response100: { buffering: { maxResponseBodyBytes: 100 } },
        retryNetwork: { buffering: { retryExpression: 'IsNetworkError() && Attempts() < 2' } },
        retry503: {
          buffering: {
            retryExpression: 'ResponseCode() == 503 || (IsNetworkError() && RequestMethod() == "GET")',
          },
        },
        retryAlways: { buffering: { retryExpression: 'Attempts() > 0' } },
        strip: { stripPrefix: { prefixes: ['/api'] } },
        retryThenStrip: { chain: { middlewares: ['retryAlwaysNetwork', 'strip'] } },
        retryAlwaysNetwork: { buffering: { retryExpression: 'IsNetworkError()' } },
        invalid: { buffering: { retryExpression: 'Attempts( < 2' } },
        unknownFunction: { buffering: { retryExpression: 'Foo() == 1' } },
        notOperator: { buffering: { retryExpression: '!IsNetworkError()' } },
        negative: { buffering: { maxRequestBodyBytes: -1 } },
      },
      { upstream },
    );
  });
  after(async () => {
    await gw.close();
    await upstream.close();
  });

  // Without a Content-Length, undici sends the body chunked.
  const sendChunked = async (name: string, body: string) => {
    const response = await request(`${gw.gw.web}/`, {
      method: 'POST',
      headers: { 'x-case': name },
      body: Readable.from([Buffer.from(body)]),
    });
    return { status: response.statusCode, body: await response.body.text() };
  };

  type Seen = { url: string; body: string; length?: string; chunked: string | null };

  it('unlimited: the request reaches the backend whole, with a Content-Length even when it came chunked', async () => {
    const reply = await sendChunked('unlimited', 'hello world');
    assert.equal(reply.status, 200);
    assert.deepEqual(JSON.parse(reply.body), { url: '/', body: 'hello world', length: '11', chunked: null });
  });

  it('maxRequestBodyBytes: a larger request gets 413 and never reaches the backend', async () => {
    const count = upstream.received.length;
    for (const reply of [
      await gw.send('smallRequest', '/', { method: 'POST', body: 'more than ten bytes' }),
      await sendChunked('request10', 'more than ten bytes'),
    ]) {
      assert.equal(reply.status, 413);
      assert.equal(reply.body, 'Request Entity Too Large');
    }
    assert.equal(upstream.received.length, count);
    assert.equal((await gw.send('request10', '/', { method: 'POST', body: 'ten bytes!' })).status, 200);
  });

  it('maxResponseBodyBytes: a larger answer is replaced by 500', async () => {
    const reply = await gw.send('smallResponse', '/', { headers: { 'x-size': '10' } });
    assert.equal(reply.status, 500);
    assert.equal(reply.body, 'Internal Server Error');
    const fits = await gw.send('response100', '/', { headers: { 'x-size': '100' } });
    assert.equal(fits.status, 200);
    assert.equal(fits.body, 'b'.repeat(100));
  });

  it('retryExpression: a 502 answer is retried, with the same body, and the client gets the next answer', async () => {
    failures = 1;
    const count = upstream.received.length;
    const reply = await gw.send('retryNetwork', '/', {
      method: 'POST',
      body: 'payload',
      headers: { 'x-fail-status': '502' },
    });
    assert.equal(reply.status, 200);
    assert.equal(reply.json<Seen>().body, 'payload');
    assert.equal(upstream.received.length, count + 2);
    assert.deepEqual(
      upstream.received.slice(count).map((r) => r.body),
      ['payload', 'payload'],
    );
  });

  it('retryExpression: Attempts() bounds the retries; the last answer is sent', async () => {
    failures = 5;
    const count = upstream.received.length;
    const reply = await gw.send('retryNetwork', '/', { headers: { 'x-fail-status': '504' } });
    assert.equal(reply.status, 504);
    assert.equal(reply.body, 'failed');
    assert.equal(upstream.received.length, count + 2);
    failures = 0;
  });

  it('retryExpression: ResponseCode(), RequestMethod() and ||', async () => {
    failures = 1;
    assert.equal((await gw.send('retry503', '/', { headers: { 'x-fail-status': '503' } })).status, 200);
    failures = 1;
    assert.equal(
      (await gw.send('retry503', '/', { method: 'POST', headers: { 'x-fail-status': '502' } })).status,
      502,
    );
    failures = 0;
  });

  it('at most 10 attempts, whatever the expression says', async () => {
    const count = upstream.received.length;
    assert.equal((await gw.send('retryAlways', '/')).status, 200);
    assert.equal(upstream.received.length, count + 10);
  });

  it('each attempt starts from the request as it was (middlewares further in apply once)', async () => {
    failures = 2;
    const reply = await gw.send('retryThenStrip', '/api/x', { headers: { 'x-fail-status': '502' } });
    assert.equal(reply.status, 200);
    assert.equal(reply.json<Seen>().url, '/x');
    assert.equal(gw.lastReceived()?.headers['x-forwarded-prefix'], '/api');
    failures = 0;
  });

  for (const [name, error] of [
    ['invalid', /retryExpression/],
    ['unknownFunction', /unsupported function: Foo/],
    ['notOperator', /"!" is not supported/],
    ['negative', /maxRequestBodyBytes: must be at least 0/],
  ] as const) {
    it(`refused at load: ${name}`, async () => {
      await assertRefused(gw, name, error);
    });
  }
});
