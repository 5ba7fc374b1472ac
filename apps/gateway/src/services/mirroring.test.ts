import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Exchange } from '../http/exchange.ts';
import {
  closedPort,
  eventually,
  send,
  startGateway,
  startUpstream,
  type TestGateway,
  type Upstream,
} from '../testing/harness.ts';
import { serviceError } from '../testing/service-upstreams.ts';
import { mirroring } from './mirroring.ts';
import type { ServiceNode } from './node.ts';

describe('mirroring services', { timeout: 30_000 }, () => {
  let main: Upstream;
  let shadow: Upstream;
  let half: Upstream;
  let hanging: Upstream;
  let gw: TestGateway;

  before(async () => {
    main = await startUpstream((_req, res, body) => res.end(`main got ${body.length} bytes`));
    shadow = await startUpstream((_req, res) => res.writeHead(500).end('shadow says no'));
    half = await startUpstream();
    hanging = await startUpstream(() => {}); // reads the request, never answers
    const refused = await closedPort();
    const lb = (name: string, url: string) =>
      `    ${name}:\n      loadBalancer:\n        servers: [{url: "${url}"}]\n`;
    gw = await startGateway({
      files: {
        'mirroring.yml': `http:
  routers:
    mirrored: {rule: "PathPrefix(\`/mirrored\`)", service: mirrored}
    limited: {rule: "PathPrefix(\`/limited\`)", service: limited}
    bodiless: {rule: "PathPrefix(\`/bodiless\`)", service: bodiless}
    slow: {rule: "PathPrefix(\`/slow\`)", service: slow}
  services:
${lb('main', main.url)}${lb('shadow', shadow.url)}${lb('half', half.url)}${lb('hanging', hanging.url)}${lb('refused', `http://127.0.0.1:${refused}`)}
    mirrored:
      mirroring:
        service: main
        mirrors: [{name: shadow, percent: 100}, {name: half@file, percent: 50}, {name: refused, percent: 100}]
    limited:
      mirroring:
        service: main
        maxBodySize: 8
        mirrors: [{name: shadow, percent: 100}]
    bodiless:
      mirroring:
        service: main
        mirrorBody: false
        mirrors: [{name: shadow, percent: 100}]
    slow:
      mirroring:
        service: main
        mirrors: [{name: hanging, percent: 100}]
    toInternal:
      mirroring:
        service: main
        mirrors: [{name: api@internal, percent: 10}]
    tooMuch:
      mirroring:
        service: main
        mirrors: [{name: shadow, percent: 101}]
    loop:
      mirroring:
        service: main
        mirrors: [{name: loop, percent: 10}]
`,
      },
    });
  });
  after(async () => {
    await gw.close();
    for (const upstream of [main, shadow, half, hanging]) await upstream.close();
  });

  it('answers from the main service and sends copies, body and headers included, ignoring mirror failures', async () => {
    const before = shadow.received.length;
    const reply = await send(`${gw.web}/mirrored/path?q=1`, {
      method: 'POST',
      headers: { 'x-trace': 'abc', 'content-type': 'text/plain' },
      body: 'hello mirror',
    });
    assert.equal(reply.status, 200);
    assert.equal(reply.body, 'main got 12 bytes');
    await eventually(() => shadow.received.length > before);
    const copy = shadow.received[before];
    assert.equal(copy?.method, 'POST');
    assert.equal(copy?.url, '/mirrored/path?q=1');
    assert.equal(copy?.body, 'hello mirror');
    assert.equal(copy?.headers['x-trace'], 'abc');
    assert.ok(copy?.headers['x-forwarded-for']);
  });

  it('mirrors exactly `percent` of the requests', async () => {
    const before = half.received.length;
    const shadowBefore = shadow.received.length;
    for (let i = 0; i < 10; i++) assert.equal((await send(`${gw.web}/mirrored`)).status, 200);
    await eventually(() => shadow.received.length === shadowBefore + 10);
    await eventually(() => half.received.length >= before + 5);
    assert.equal(half.received.length - before, 5);
  });

  it('never holds the answer for a mirror that does not answer', async () => {
    for (let i = 0; i < 3; i++) {
      const reply = await send(`${gw.web}/slow`);
      assert.equal(reply.body, 'main got 0 bytes');
    }
    await eventually(() => hanging.received.length === 3);
  });

  it('does not mirror a body over maxBodySize, yet sends it whole to the main service', async () => {
    const before = shadow.received.length;
    const big = await send(`${gw.web}/limited`, { method: 'POST', body: '0123456789' });
    assert.equal(big.body, 'main got 10 bytes');
    const small = await send(`${gw.web}/limited`, { method: 'POST', body: '01234567' });
    assert.equal(small.body, 'main got 8 bytes');
    await eventually(() => shadow.received.length > before);
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.deepEqual(
      shadow.received.slice(before).map((r) => r.body),
      ['01234567'],
    );
  });

  it('sends copies without the body with mirrorBody: false', async () => {
    const before = shadow.received.length;
    assert.equal(
      (await send(`${gw.web}/bodiless`, { method: 'PUT', body: 'secret' })).body,
      'main got 6 bytes',
    );
    await eventually(() => shadow.received.length > before);
    assert.equal(shadow.received[before]?.method, 'PUT');
    assert.equal(shadow.received[before]?.body, '');
  });

  it('follows the mirrors of a hot reload: a new mirroring service, then its mirror turned off', async () => {
    const late = (percent: number) => `http:
  routers:
    late: {rule: "PathPrefix(\`/late\`)", service: late}
  services:
    late:
      mirroring:
        service: main@file
        mirrors: [{name: half, percent: ${percent}}]
`;
    const copies = () => half.received.filter((r) => r.url.startsWith('/late')).length;
    let reloaded = gw.gateway.nextReload();
    await gw.write('late.yml', late(100));
    await reloaded;
    for (let i = 0; i < 3; i++) assert.equal((await send(`${gw.web}/late`)).body, 'main got 0 bytes');
    await eventually(() => copies() === 3);
    reloaded = gw.gateway.nextReload();
    await gw.write('late.yml', late(0));
    await reloaded;
    for (let i = 0; i < 3; i++) assert.equal((await send(`${gw.web}/late`)).body, 'main got 0 bytes');
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(copies(), 3);
  });

  it('refuses internal mirrors, percentages over 100 and cycles', async () => {
    assert.match(
      await serviceError(gw, 'toInternal@file'),
      /service "api@internal" cannot be a mirror of "toInternal@file"/,
    );
    assert.match(await serviceError(gw, 'tooMuch@file'), /percent: must be at most 100/);
    assert.match(
      await serviceError(gw, 'loop@file'),
      /recursion detected in services: loop@file -> loop@file/,
    );
  });
});

describe('mirroring percentages (Traefik mirror_test.go)', { timeout: 30_000 }, () => {
  /** Runs `requests` requests through a mirroring service with mirrors at `percents`; copies per mirror. */
  async function copies(requests: number, percents: number[]): Promise<number[]> {
    const counts = percents.map(() => 0);
    const node = (index?: number): ServiceNode => ({
      handle: () => Promise.resolve(),
      status: undefined,
      shadow: () => {
        if (index !== undefined) counts[index] = (counts[index] ?? 0) + 1;
      },
    });
    const service = mirroring(
      { service: 'main', mirrorBody: true, maxBodySize: -1, mirrors: [] },
      node(),
      percents.map((percent, index) => ({ node: node(index), percent })),
    );
    for (let i = 0; i < requests; i++) {
      const exchange = {
        method: 'GET',
        host: 'h',
        path: '/',
        rawQuery: '',
        headers: {},
        remoteAddr: '127.0.0.1',
        clientGone: false,
      };
      await service.handle(exchange as unknown as Exchange);
    }
    return counts;
  }

  it('mirrors 10 and 50 of 100 requests at 10 and 50 percent, 1 and 5 of 10', async () => {
    assert.deepEqual(await copies(100, [10, 50]), [10, 50]);
    assert.deepEqual(await copies(10, [10, 50]), [1, 5]);
    assert.deepEqual(await copies(7, [0, 100]), [0, 7]);
  });
});
