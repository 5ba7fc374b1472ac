import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { send, startGateway } from '../testing/harness.ts';

describe('internal routes', () => {
  const dashboardWarnings = (logs: readonly Record<string, unknown>[]) =>
    logs.filter((l) => l.level === 'warn' && String(l.msg).includes('/dashboard/ is not served yet'));

  it('warns at start that /dashboard/ is not served while api.dashboard is on (its default), and serves the API', async () => {
    const gw = await startGateway({ files: {} });
    try {
      const [warning, ...more] = dashboardWarnings(gw.logs);
      assert.equal(more.length, 0);
      assert.match(String(warning?.msg), /the API is, at \/api\/ on entrypoint traefik/);
      assert.equal((await send(`${gw.admin}/dashboard/`)).status, 404);
      assert.equal((await send(`${gw.admin}/api/version`)).status, 200);
      // Without metrics.prometheus, Traefik's overview names no metrics backend.
      const overview = (await send(`${gw.admin}/api/overview`)).json<{ features: { metrics: string } }>();
      assert.equal(overview.features.metrics, '');
    } finally {
      await gw.close();
    }
  });

  it('says nothing about the dashboard with api.dashboard: false', async () => {
    const gw = await startGateway({ files: {}, static: { api: { dashboard: false } } });
    try {
      assert.deepEqual(dashboardWarnings(gw.logs), []);
    } finally {
      await gw.close();
    }
  });
});

describe('admin entrypoint address', () => {
  it('serves the insecure API on loopback even when configured on every interface', async () => {
    const gw = await startGateway({
      files: {},
      static: { entryPoints: { web: { address: '0.0.0.0:0' }, traefik: { address: '0.0.0.0:0' } } },
    });
    try {
      assert.equal(gw.gateway.address('traefik')?.address, '127.0.0.1');
      assert.equal(gw.gateway.address('web')?.address, '0.0.0.0', 'only the admin entrypoint is confined');
      assert.equal((await send(`${gw.admin}/api/version`)).status, 200);
    } finally {
      await gw.close();
    }
  });
});
