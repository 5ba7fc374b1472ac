/**
 * failover.errors (Traefik 3.7): an answer of the main service in `status` is dropped and the request, body
 * included, replayed to the fallback; `maxRequestBodyBytes` bounds the body kept for it (413 over it). Cases of
 * Traefik's failover_test.go (TestFailoverStatusCode*), through a gateway.
 */

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { send, startGateway, startUpstream, type TestGateway, type Upstream } from '../testing/harness.ts';

describe('failover.errors', { timeout: 30_000 }, () => {
  let main: Upstream;
  let fallback: Upstream;
  let gw: TestGateway;

  const config = (status: string) => `http:
  routers:
    app: {rule: "PathPrefix(\`/app\`)", service: app}
    limited: {rule: "PathPrefix(\`/limited\`)", service: limited}
    zero: {rule: "PathPrefix(\`/zero\`)", service: zero}
  services:
    main:
      loadBalancer:
        servers: [{url: "${main.url}"}]
    fallback:
      loadBalancer:
        servers: [{url: "${fallback.url}"}]
    app:
      failover: {service: main, fallback: fallback, errors: {status: ${status}}}
    limited:
      failover: {service: main, fallback: fallback, errors: {status: ["503"], maxRequestBodyBytes: 5}}
    zero:
      failover: {service: main, fallback: fallback, errors: {status: ["503"], maxRequestBodyBytes: 0}}
`;

  before(async () => {
    // The main service answers the status named by the last path segment, or 503.
    main = await startUpstream((req, res, body) => {
      const status = Number(req.url?.split('/').pop()) || 503;
      res.writeHead(status, { 'x-from': 'main', 'content-type': 'text/plain' });
      res.end(`main ${status} ${body}`);
    });
    fallback = await startUpstream((_req, res, body) => {
      res.writeHead(200, { 'x-fallback': '1' });
      res.end(`fallback ${body}`);
    });
    gw = await startGateway({ files: { 'failover-errors.yml': config('["500-504"]') } });
  });
  after(async () => {
    await gw?.close();
    await Promise.all([main?.close(), fallback?.close()]);
  });

  it('fails over on a status in the ranges, with nothing of the main answer kept', async () => {
    for (const status of [500, 502, 503, 504]) {
      const reply = await send(`${gw.web}/app/${status}`);
      assert.equal(reply.status, 200);
      assert.equal(reply.body, 'fallback ');
      assert.equal(reply.headers['x-from'], undefined);
      assert.equal(reply.headers['x-fallback'], '1');
    }
  });

  it('passes other answers on', async () => {
    for (const status of [200, 404, 505]) {
      const reply = await send(`${gw.web}/app/${status}`);
      assert.equal(reply.status, status);
      assert.equal(reply.body, `main ${status} `);
      assert.equal(reply.headers['x-from'], 'main');
    }
  });

  it('replays the request body to the fallback', async () => {
    const before = main.received.length;
    const reply = await send(`${gw.web}/app/503`, { method: 'POST', body: 'request body' });
    assert.equal(reply.body, 'fallback request body');
    assert.equal(main.received[before]?.body, 'request body');
  });

  it('answers 413 for a body over maxRequestBodyBytes, before asking the main service', async () => {
    assert.equal(
      (await send(`${gw.web}/limited/503`, { method: 'POST', body: 'small' })).body,
      'fallback small',
    );
    const before = main.received.length;
    const reply = await send(`${gw.web}/limited/503`, { method: 'POST', body: 'this body is too large' });
    assert.equal(reply.status, 413);
    assert.equal(reply.body, 'Request body too large\n');
    assert.equal(reply.headers['content-type'], 'text/plain; charset=utf-8');
    assert.equal(main.received.length, before);
    assert.equal((await send(`${gw.web}/zero/503`, { method: 'POST', body: 'any' })).status, 413);
    assert.equal((await send(`${gw.web}/zero/503`)).body, 'fallback ');
  });

  it('follows new ranges after a hot reload', async () => {
    const reloaded = gw.gateway.nextReload();
    await gw.write('failover-errors.yml', config('["404"]'));
    await reloaded;
    assert.equal((await send(`${gw.web}/app/404`)).body, 'fallback ');
    assert.equal((await send(`${gw.web}/app/503`)).status, 503);
  });
});
