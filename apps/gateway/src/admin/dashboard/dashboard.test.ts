import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { send, startGateway } from '../../testing/harness.ts';
import { readEvents, startDashboardFixture } from './dashboard-fixture.ts';
import type { HistoryEntry } from './history.ts';
import type { LiveSnapshot, LiveTick } from './sampler.ts';

describe('dashboard@internal', () => {
  it('serves the front end at /dashboard/ from memory, with a strict CSP, and redirects / and /dashboard there', async () => {
    const gw = await startGateway({ files: {} });
    try {
      for (const path of ['/', '/dashboard']) {
        const reply = await send(`${gw.admin}${path}`);
        assert.equal(reply.status, 302, path);
        assert.equal(reply.headers.location, '/dashboard/');
      }
      const page = await send(`${gw.admin}/dashboard/`);
      assert.equal(page.status, 200);
      assert.match(String(page.headers['content-type']), /^text\/html/);
      assert.match(String(page.headers['content-security-policy']), /script-src 'self';/);
      assert.match(page.body, /<script type="module" src="app.js">/);
      const etag = String(page.headers.etag);
      assert.equal(
        (await send(`${gw.admin}/dashboard/`, { headers: { 'if-none-match': etag } })).status,
        304,
      );

      const uplot = await send(`${gw.admin}/dashboard/vendor/uplot.js`);
      assert.equal(uplot.status, 200);
      assert.match(String(uplot.headers['content-type']), /^text\/javascript/);
      assert.match(uplot.body, /export \{ uPlot as default \}/);
      assert.equal((await send(`${gw.admin}/dashboard/app.js`)).status, 200);
      assert.equal((await send(`${gw.admin}/dashboard/vendor/uplot.css`)).status, 200);

      // Only the front end's own files exist: no type declarations, no config, nothing outside.
      for (const path of [
        '/dashboard/types.d.ts',
        '/dashboard/tsconfig.json',
        '/dashboard/../package.json',
        '/dashboard/%2e%2e/package.json',
        '/dashboard/..%2fsrc/app.ts',
        '/dashboard/nope.js',
      ]) {
        assert.equal((await send(`${gw.admin}${path}`)).status, path.includes('%2f') ? 400 : 404, path);
      }
      assert.equal((await send(`${gw.admin}/dashboard/`, { method: 'POST' })).status, 405);
      // The data plane knows nothing of it.
      assert.equal((await send(`${gw.web}/dashboard/`)).status, 404);
    } finally {
      await gw.close();
    }
  });

  it('is not served with api.dashboard: false', async () => {
    const gw = await startGateway({ files: {}, static: { api: { dashboard: false } } });
    try {
      assert.equal((await send(`${gw.admin}/dashboard/`)).status, 404);
      assert.equal((await send(`${gw.admin}/api/version`)).status, 200);
    } finally {
      await gw.close();
    }
  });

  it('is served by api@internal too, for a router of its own (api.insecure off), as in Traefik', async () => {
    const gw = await startGateway({
      static: { api: { insecure: false } },
      files: {
        'api.yml': `http:
  routers:
    dashboard:
      entryPoints: [web]
      rule: "PathPrefix(\`/api\`) || PathPrefix(\`/dashboard\`)"
      service: api@internal
`,
      },
    });
    try {
      assert.equal((await send(`${gw.web}/dashboard/`)).status, 200);
      assert.equal((await send(`${gw.web}/api/http/routers`)).status, 200);
      assert.equal((await send(`${gw.admin}/dashboard/`)).status, 404, 'nothing on the admin entrypoint');
    } finally {
      await gw.close();
    }
  });
});

describe('/api/history', () => {
  it('lists each load with its files, what it disabled, and a rejected change with its file and error', async () => {
    const gw = await startGateway({
      files: { 'a.yml': 'http:\n  routers:\n    r:\n      rule: "Path(`/x`)"\n      service: missing\n' },
    });
    try {
      await gw.write('b.yml', 'http: [not, a, map');
      await gw.gateway.nextReload();
      await gw.write('b.yml', 'http: {}\n');
      await gw.gateway.nextReload();
      const history = (await send(`${gw.admin}/api/history`)).json<HistoryEntry[]>();
      const [fixed, rejected, first] = history;
      assert.equal(history.length, 3, JSON.stringify(history));
      assert.equal(first?.status, 'applied');
      assert.deepEqual(first?.files, ['a.yml']);
      assert.deepEqual(first?.routers, { total: 1, warnings: 0, errors: 1 });
      assert.deepEqual(first?.disabled, [
        { name: 'r@file', error: ['the service "missing@file" does not exist'] },
      ]);
      assert.equal(rejected?.status, 'rejected');
      assert.equal(rejected?.file, 'b.yml');
      assert.match(String(rejected?.error), /^b\.yml: invalid YAML/, 'paths relative to the directory');
      assert.equal(fixed?.status, 'unchanged', 'an empty b.yml changes nothing');
      assert.deepEqual(fixed?.recovered, ['b.yml']);
      assert.ok(Date.parse(String(fixed?.time)) >= Date.parse(String(first?.time)));
      assert.ok((fixed?.id ?? 0) > (first?.id ?? 0));
    } finally {
      await gw.close();
    }
  });
});

describe('/api/live', () => {
  it('streams a snapshot then ticks whose figures follow the traffic, forwardAuth decisions included', async () => {
    const fixture = await startDashboardFixture();
    try {
      const { gw } = fixture;
      let sent = false;
      const events = await readEvents(`${gw.admin}/api/live`, (events) => {
        if (!sent && events.length >= 2) {
          sent = true;
          void Promise.all([
            fixture.traffic('/echo/a', 20),
            fixture.traffic('/protected/x', 5, 'good'),
            fixture.traffic('/protected/x', 3, 'bad'),
            fixture.traffic('/protected/x', 2, 'down'),
          ]);
        }
        const last = events.at(-1);
        if (last?.event !== 'tick') return false;
        const tick = JSON.parse(last.data) as LiveTick;
        return (
          tick.summary.routers['echo@file']?.requests === 20 &&
          tick.decisionSummary['token-auth@file']?.error === 2 &&
          tick.summary.routers['protected@file']?.requests === 10
        );
      });
      const [first] = events;
      assert.equal(first?.event, 'snapshot');
      const snapshot = JSON.parse(String(first?.data)) as LiveSnapshot;
      assert.equal(snapshot.intervalMs, 1000);
      assert.ok(snapshot.windowMs >= 5 * 60_000 && snapshot.windowMs <= 15 * 60_000);

      const tick = JSON.parse(String(events.at(-1)?.data)) as LiveTick;
      const echo = tick.summary.routers['echo@file'];
      assert.deepEqual(echo?.codes, { '200': 20 });
      assert.ok(echo && echo.p50 !== null && echo.p50 < 0.25, `p50 ${echo?.p50}`);
      assert.ok(echo && echo.p99 !== null && echo.p99 >= echo.p50!, `p99 ${echo?.p99}`);
      assert.deepEqual(tick.summary.routers['protected@file']?.codes, { '200': 5, '401': 3, '500': 2 });
      const decisions = tick.decisionSummary['token-auth@file'];
      assert.deepEqual(
        { ...decisions, perSecond: undefined },
        { allowed: 5, denied: 3, error: 2, perSecond: undefined },
      );
      assert.equal(
        tick.summary.services['echo@file']?.requests,
        25,
        'refused requests never reach the service',
      );

      // The counter is a Prometheus metric like the others.
      const metrics = (await send(`${gw.admin}/metrics`)).body;
      assert.match(
        metrics,
        /gateway_forwardauth_decisions_total\{middleware="token-auth@file",decision="denied"\} 3/,
      );
    } finally {
      await fixture.close();
    }
  });

  it('is absent without metrics, and ends its streams when the gateway stops', async () => {
    const plain = await startGateway({ files: {} });
    try {
      assert.equal((await send(`${plain.admin}/api/live`)).status, 404);
    } finally {
      await plain.close();
    }
    const fixture = await startDashboardFixture();
    const events = readEvents(`${fixture.gw.admin}/api/live`, () => false);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const started = Date.now();
    await fixture.close();
    assert.equal((await events)[0]?.event, 'snapshot');
    assert.ok(Date.now() - started < 900, 'stopping does not wait for the stream (graceTimeOut is 1 s)');
  });
});
