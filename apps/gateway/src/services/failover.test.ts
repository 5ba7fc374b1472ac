import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { eventually, send, startGateway, type TestGateway } from '../testing/harness.ts';
import { serviceError, upstreamWithHealth } from '../testing/service-upstreams.ts';

describe('failover services', { timeout: 30_000 }, () => {
  let main: Awaited<ReturnType<typeof upstreamWithHealth>>;
  let backup: Awaited<ReturnType<typeof upstreamWithHealth>>;
  let spare: Awaited<ReturnType<typeof upstreamWithHealth>>;
  let gw: TestGateway;
  const config = (fallback: string) => `http:
  routers:
    app: {rule: "PathPrefix(\`/app\`)", service: app}
    tracked: {rule: "PathPrefix(\`/tracked\`)", service: tracked}
    outer: {rule: "PathPrefix(\`/outer\`)", service: outer}
  services:
    main:
      loadBalancer:
        servers: [{url: "${main.upstream.url}"}]
        healthCheck: {path: /health, interval: 100ms}
    backup:
      loadBalancer:
        servers: [{url: "${backup.upstream.url}"}]
        healthCheck: {path: /health, interval: 100ms}
    spare:
      loadBalancer:
        servers: [{url: "${spare.upstream.url}"}]
    spareChecked:
      loadBalancer:
        servers: [{url: "${spare.upstream.url}"}]
        healthCheck: {path: /health, interval: 100ms}
    app:
      failover: {service: main, fallback: ${fallback}}
    tracked:
      failover: {service: main@file, fallback: backup, healthCheck: {}}
    outer:
      weighted:
        services: [{name: tracked}, {name: spareChecked}]
        healthCheck: {}
    untrackedMain:
      failover: {service: spare, fallback: backup}
    untrackedFallback:
      failover: {service: main, fallback: spare, healthCheck: {}}
    byStatus:
      failover: {service: main, fallback: spare, errors: {status: ["5xx"]}}
    statusOnly:
      failover: {service: spare, fallback: backup, errors: {}}
`;

  before(async () => {
    main = await upstreamWithHealth('main');
    backup = await upstreamWithHealth('backup');
    spare = await upstreamWithHealth('spare');
    gw = await startGateway({ files: { 'failover.yml': config('backup') } });
  });
  after(async () => {
    await gw.close();
    await main.upstream.close();
    await backup.upstream.close();
    await spare.upstream.close();
  });

  it('serves from the main service while it is up, from the fallback while it is down, and back', async () => {
    assert.equal((await send(`${gw.web}/app`)).body, 'main');
    main.health.status = 503;
    await eventually(async () => (await send(`${gw.web}/app`)).body === 'backup');
    assert.equal((await send(`${gw.web}/tracked`)).body, 'backup');
    main.health.status = 200;
    await eventually(async () => (await send(`${gw.web}/app`)).body === 'main');
  });

  it('answers 503 Service Unavailable when both are down; with healthCheck: {} it reports itself down', async () => {
    main.health.status = 500;
    backup.health.status = 500;
    await eventually(async () => (await send(`${gw.web}/tracked`)).status === 503);
    const reply = await send(`${gw.web}/tracked`);
    assert.equal(reply.body, 'Service Unavailable\n');
    assert.equal(reply.headers['x-content-type-options'], 'nosniff');
    // Without healthCheck the fallback's own status is not watched: it is used, and answers 503 itself.
    assert.equal((await send(`${gw.web}/app`)).body, 'no available server\n');
    // The weighted service above the failover sees it down and sends everything to its other child.
    for (let i = 0; i < 3; i++) assert.equal((await send(`${gw.web}/outer`)).body, 'spare');
    main.health.status = 200;
    backup.health.status = 200;
    await eventually(async () => (await send(`${gw.web}/tracked`)).body === 'main');
  });

  it('refuses a main service (unless errors.status is set), or with healthCheck a fallback, that reports no status', async () => {
    assert.match(
      await serviceError(gw, 'untrackedMain@file'),
      /child service "spare@file" of "untrackedMain@file" reports no status/,
    );
    assert.match(
      await serviceError(gw, 'untrackedFallback@file'),
      /child service "spare@file" of "untrackedFallback@file" reports no status/,
    );
    assert.match(await serviceError(gw, 'byStatus@file'), /invalid status code range "5xx"/);
    assert.match(
      await serviceError(gw, 'statusOnly@file'),
      /child service "spare@file" of "statusOnly@file" reports no status/,
    );
  });

  it('follows a new fallback after a hot reload', async () => {
    const reloaded = gw.gateway.nextReload();
    await gw.write('failover.yml', config('spare'));
    await reloaded;
    main.health.status = 500;
    try {
      await eventually(async () => (await send(`${gw.web}/app`)).body === 'spare');
    } finally {
      main.health.status = 200;
    }
  });
});
