import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  route,
  send,
  startGateway,
  startUpstream,
  type TestGateway,
  type Upstream,
} from '../testing/harness.ts';

/** The value of one sample line, e.g. `traefik_service_requests_total{code="200",...}`. */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (Object.entries(labels).every(([key, value]) => line.includes(`${key}="${value}"`))) {
      return Number(line.slice(line.lastIndexOf(' ') + 1));
    }
  }
  return undefined;
}

describe('Prometheus metrics', () => {
  let app: Upstream;
  let gw: TestGateway;

  before(async () => {
    app = await startUpstream((_req, res) => res.end('hello'));
    gw = await startGateway({
      files: { 'routes.yml': route('app', 'PathPrefix(`/app`)', app.url) },
      static: { metrics: { prometheus: { addRoutersLabels: true } } },
    });
  });

  after(async () => {
    await gw.close();
    await app.close();
  });

  it('names Prometheus in /api/overview features.metrics, as Traefik does', async () => {
    const overview = (await send(`${gw.admin}/api/overview`)).json<{ features: Record<string, unknown> }>();
    assert.deepEqual(overview.features, { tracing: '', metrics: 'Prometheus', accessLog: true });
  });

  it("serves Traefik's metrics at /metrics on the admin entrypoint", async () => {
    for (let i = 0; i < 3; i++) assert.equal((await send(`${gw.web}/app`)).status, 200);
    assert.equal((await send(`${gw.web}/nowhere`)).status, 404);
    await send(`${gw.web}/app`, { method: 'PATCH' });

    const reply = await send(`${gw.admin}/metrics`);
    assert.equal(reply.status, 200);
    assert.match(String(reply.headers['content-type']), /^text\/plain; version=0\.0\.4/);
    const text = reply.body;
    const web = { entrypoint: 'web', protocol: 'http' };
    assert.equal(
      sample(text, 'traefik_entrypoint_requests_total', { ...web, code: '200', method: 'GET' }),
      3,
    );
    assert.equal(
      sample(text, 'traefik_entrypoint_requests_total', { ...web, code: '404', method: 'GET' }),
      1,
    );
    assert.equal(
      sample(text, 'traefik_service_requests_total', { service: 'app@file', code: '200', method: 'GET' }),
      3,
    );
    assert.equal(sample(text, 'traefik_service_requests_total', { service: 'app@file', method: 'PATCH' }), 1);
    assert.equal(
      sample(text, 'traefik_router_requests_total', { router: 'app@file', service: 'app@file', code: '200' }),
      3,
    );
    assert.equal(
      sample(text, 'traefik_service_responses_bytes_total', {
        service: 'app@file',
        code: '200',
        method: 'GET',
      }),
      15,
    );
    assert.equal(
      sample(text, 'traefik_entrypoint_request_duration_seconds_bucket', {
        ...web,
        code: '200',
        method: 'GET',
        le: '+Inf',
      }),
      3,
    );
    assert.match(text, /traefik_entrypoint_request_duration_seconds_bucket\{[^}]*le="0\.3"/);
    assert.equal(sample(text, 'traefik_config_reloads_total', {}), 1);
    assert.ok((sample(text, 'traefik_config_last_reload_success', {}) ?? 0) > 1.7e9);
    assert.ok((sample(text, 'traefik_open_connections', { entrypoint: 'traefik' }) ?? 0) >= 1);
  });

  it('counts a reload that applies a new configuration', async () => {
    const reloaded = gw.gateway.nextReload();
    await gw.write('more.yml', route('more', 'PathPrefix(`/more`)', app.url));
    await reloaded;
    const text = (await send(`${gw.admin}/metrics`)).body;
    assert.equal(sample(text, 'traefik_config_reloads_total', {}), 2);
  });
});
