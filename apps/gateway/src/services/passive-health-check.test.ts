import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  eventually,
  send,
  startGateway,
  startUpstream,
  type TestGateway,
  type Upstream,
} from '../testing/harness.ts';

describe('loadBalancer.passiveHealthCheck', { timeout: 30_000 }, () => {
  let good: Upstream;
  let bad: Upstream;
  let gw: TestGateway;
  const failing = { on: true };

  before(async () => {
    good = await startUpstream((_req, res) => res.end('good'));
    bad = await startUpstream((_req, res) => {
      if (failing.on) res.writeHead(502).end('bad');
      else res.end('recovered');
    });
    gw = await startGateway({
      files: {
        'passive.yml': `http:
  routers:
    app: {rule: "PathPrefix(\`/app\`)", service: app}
  services:
    app:
      loadBalancer:
        servers: [{url: "${good.url}"}, {url: "${bad.url}"}]
        passiveHealthCheck: {maxFailedAttempts: 2, failureWindow: 2s}
`,
      },
    });
  });
  after(async () => {
    await gw.close();
    await good.close();
    await bad.close();
  });

  const status = async () =>
    (await send(`${gw.admin}/api/http/services/app@file`)).json<{ serverStatus: Record<string, string> }>()
      .serverStatus;

  it('takes a server out after maxFailedAttempts failed answers, and back after failureWindow', async () => {
    const bodies: string[] = [];
    // Round robin: the bad server gets every other request; its second failure takes it out.
    for (let i = 0; i < 4; i++) bodies.push((await send(`${gw.web}/app`)).body);
    assert.deepEqual(bodies, ['good', 'bad', 'good', 'bad']);
    assert.equal((await status())[bad.url], 'DOWN');
    for (let i = 0; i < 4; i++) assert.equal((await send(`${gw.web}/app`)).body, 'good');
    failing.on = false;
    await eventually(async () => (await status())[bad.url] === 'UP');
    const after: string[] = [];
    for (let i = 0; i < 4; i++) after.push((await send(`${gw.web}/app`)).body);
    assert.ok(after.includes('recovered'));
  });
});
