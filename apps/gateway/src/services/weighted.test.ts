import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import {
  eventually,
  send,
  startGateway,
  startUpstream,
  type TestGateway,
  type Upstream,
} from '../testing/harness.ts';
import { serviceError, upstreamWithHealth } from '../testing/service-upstreams.ts';

function count(bodies: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const body of bodies) out[body] = (out[body] ?? 0) + 1;
  return out;
}

async function bodies(url: string, n: number, headers: Record<string, string> = {}): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push((await send(url, { headers })).body);
  return out;
}

describe('weighted services', { timeout: 30_000 }, () => {
  let stable: Awaited<ReturnType<typeof upstreamWithHealth>>;
  let canary: Awaited<ReturnType<typeof upstreamWithHealth>>;
  let gw: TestGateway;
  const services = (stableWeight: number, canaryWeight: number) => `http:
  routers:
    split: {rule: "PathPrefix(\`/split\`)", service: split}
    healthy: {rule: "PathPrefix(\`/healthy\`)", service: healthy}
    sticky: {rule: "PathPrefix(\`/sticky\`)", service: sticky}
    loop: {rule: "PathPrefix(\`/loop\`)", service: loopA}
  services:
    stable:
      loadBalancer:
        servers: [{url: "${stable.upstream.url}"}]
        healthCheck: {path: /health, interval: 100ms}
    canary:
      loadBalancer:
        servers: [{url: "${canary.upstream.url}"}]
        healthCheck: {path: /health, interval: 100ms}
    plain:
      loadBalancer:
        servers: [{url: "${canary.upstream.url}"}]
    split:
      weighted:
        services: [{name: stable@file, weight: ${stableWeight}}, {name: canary, weight: ${canaryWeight}}]
    healthy:
      weighted:
        services: [{name: stable, weight: 1}, {name: canary, weight: 1}]
        healthCheck: {}
    sticky:
      weighted:
        services: [{name: stable}, {name: canary}]
        sticky: {cookie: {}}
    unchecked:
      weighted:
        services: [{name: stable}, {name: plain}]
        healthCheck: {}
    loopA:
      weighted:
        services: [{name: loopB}]
    loopB:
      weighted:
        services: [{name: stable}, {name: loopA}]
    self:
      weighted:
        services: [{name: self}]
    missing:
      weighted:
        services: [{name: nowhere}]
`;

  before(async () => {
    stable = await upstreamWithHealth('stable');
    canary = await upstreamWithHealth('canary');
    gw = await startGateway({ files: { 'weighted.yml': services(3, 1) } });
  });
  after(async () => {
    await gw.close();
    await stable.upstream.close();
    await canary.upstream.close();
  });

  it('splits traffic by weight, evenly interleaved (smooth weighted round robin)', async () => {
    const got = await bodies(`${gw.web}/split`, 8);
    assert.deepEqual(count(got), { stable: 6, canary: 2 });
    // Never two canary requests in a row with 3:1.
    assert.ok(!got.join(',').includes('canary,canary'));
    const info = (await send(`${gw.admin}/api/http/services/split@file`)).json<Record<string, unknown>>();
    assert.equal(info.type, 'weighted');
    assert.equal(info.status, 'enabled');
  });

  it('follows new weights after a hot reload', async () => {
    const reloaded = gw.gateway.nextReload();
    await gw.write('weighted.yml', services(1, 1));
    await reloaded;
    assert.deepEqual(count(await bodies(`${gw.web}/split`, 8)), { stable: 4, canary: 4 });
    const back = gw.gateway.nextReload();
    await gw.write('weighted.yml', services(3, 1));
    await back;
  });

  it('with healthCheck: {}, leaves out a child that is down, and answers 503 when all are', async () => {
    canary.health.status = 500;
    await eventually(async () => !(await bodies(`${gw.web}/healthy`, 2)).includes('canary'));
    assert.deepEqual(count(await bodies(`${gw.web}/healthy`, 4)), { stable: 4 });
    stable.health.status = 500;
    await eventually(async () => (await send(`${gw.web}/healthy`)).status === 503);
    assert.equal((await send(`${gw.web}/healthy`)).body, 'no available server\n');
    // Without healthCheck, a weighted service still picks a child that is down (which answers 503 itself).
    assert.equal((await send(`${gw.web}/split`)).status, 503);
    stable.health.status = 200;
    canary.health.status = 200;
    await eventually(async () => count(await bodies(`${gw.web}/healthy`, 2)).canary === 1);
  });

  it('refuses healthCheck: {} over a child that reports no status', async () => {
    assert.match(
      await serviceError(gw, 'unchecked@file'),
      /child service "plain@file" of "unchecked@file" reports no status/,
    );
  });

  it('refuses reference cycles with the path, and unknown services, without taking the rest down', async () => {
    assert.match(
      await serviceError(gw, 'loopA@file'),
      /recursion detected in services: .*loopA@file -> loopB@file -> loopA@file/,
    );
    assert.match(
      await serviceError(gw, 'self@file'),
      /recursion detected in services: self@file -> self@file/,
    );
    assert.match(
      await serviceError(gw, 'missing@file'),
      /service "nowhere@file": the service "nowhere@file" does not exist/,
    );
    const router = (await send(`${gw.admin}/api/http/routers/loop@file`)).json<{ status: string }>();
    assert.equal(router.status, 'disabled');
    assert.equal((await send(`${gw.web}/loop`)).status, 404);
    assert.equal((await send(`${gw.web}/split`)).status, 200);
  });

  it('sticky.cookie pins a client to the child service that served it first', async () => {
    const first = await send(`${gw.web}/sticky`);
    const cookieName = `_${createHash('sha1').update('_TRAEFIK_BACKEND_sticky@file').digest('hex')}`.slice(
      0,
      6,
    );
    const setCookie = String(first.headers['set-cookie']);
    const value = createHash('sha256').update(first.body).digest('hex').slice(0, 16);
    assert.equal(setCookie, `${cookieName}=${value}; Path=/`);
    const again = await bodies(`${gw.web}/sticky`, 4, { cookie: `${cookieName}=${value}` });
    assert.deepEqual(count(again), { [first.body]: 4 });
    const pinned = await send(`${gw.web}/sticky`, { headers: { cookie: `${cookieName}=${value}` } });
    assert.equal(pinned.headers['set-cookie'], undefined);
  });
});

describe('weighted services: deep chains', { timeout: 30_000 }, () => {
  it('refuses a chain nested more than 100 deep with an error, and serves a shorter one', async () => {
    const upstream = await startUpstream((_req, res) => res.end('bottom'));
    const chain = (depth: number, prefix: string) =>
      Array.from({ length: depth }, (_, i) =>
        i === depth - 1
          ? `    ${prefix}${i}:\n      loadBalancer:\n        servers: [{url: "${upstream.url}"}]\n`
          : `    ${prefix}${i}:\n      weighted:\n        services: [{name: ${prefix}${i + 1}}]\n`,
      ).join('');
    const gw = await startGateway({
      files: {
        'deep.yml': `http:
  routers:
    deep: {rule: "PathPrefix(\`/deep\`)", service: deep0}
    shallow: {rule: "PathPrefix(\`/shallow\`)", service: shallow0}
  services:
${chain(150, 'deep')}${chain(50, 'shallow')}`,
      },
    });
    try {
      assert.match(
        await serviceError(gw, 'deep0@file'),
        /services nested more than 100 deep: deep0@file -> … -> deep100@file/,
      );
      assert.equal((await send(`${gw.web}/deep`)).status, 404);
      // Every service above the cut is disabled with the same message; those below it serve.
      assert.match(await serviceError(gw, 'deep99@file'), /^services nested more than 100 deep/);
      assert.equal(await serviceError(gw, 'deep100@file'), 'no error');
      assert.equal((await send(`${gw.web}/shallow`)).body, 'bottom');
    } finally {
      await gw.close();
      await upstream.close();
    }
  });
});

describe('weighted services: the upstream list', { timeout: 30_000 }, () => {
  let upstream: Upstream;
  before(async () => {
    upstream = await startUpstream((_req, res) => res.end('ok'));
  });
  after(() => upstream.close());

  it('needs a services list, with names and non-negative weights', async () => {
    const gw = await startGateway({
      files: {
        'bad.yml': `http:
  services:
    noList: {weighted: {}}
    negative: {weighted: {services: [{name: a, weight: -1}]}}
    twoKinds:
      weighted: {services: [{name: a}]}
      loadBalancer: {servers: [{url: "${upstream.url}"}]}
`,
      },
    });
    try {
      assert.match(await serviceError(gw, 'noList@file'), /weighted.services: is required/);
      assert.match(await serviceError(gw, 'negative@file'), /weight: must be at least 0/);
      assert.match(
        await serviceError(gw, 'twoKinds@file'),
        /a service has exactly one type, got loadBalancer, weighted|got weighted, loadBalancer/,
      );
    } finally {
      await gw.close();
    }
  });
});
