import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { send, startGateway, startUpstream } from '../testing/harness.ts';

describe('internal routes', () => {
  it('serves the API and the dashboard on the admin entrypoint with api.insecure', async () => {
    const gw = await startGateway({ files: {} });
    try {
      assert.equal((await send(`${gw.admin}/dashboard/`)).status, 200);
      assert.equal((await send(`${gw.admin}/api/version`)).status, 200);
      // Without metrics.prometheus, Traefik's overview names no metrics backend.
      const overview = (await send(`${gw.admin}/api/overview`)).json<{ features: { metrics: string } }>();
      assert.equal(overview.features.metrics, '');
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

describe('noop@internal', () => {
  it("answers 418 with no body, as Traefik's noop handler, for a router whose middlewares let the request through", async () => {
    const backend = await startUpstream();
    const gw = await startGateway({
      files: {
        'noop.yml': `http:
  routers:
    noop: {rule: "PathPrefix(\`/noop\`)", service: noop@internal}
    redirect: {rule: "PathPrefix(\`/redirect\`)", middlewares: [to-https], service: noop@internal}
  middlewares:
    to-https:
      redirectScheme: {scheme: https}
`,
      },
    });
    try {
      const reply = await send(`${gw.web}/noop`);
      assert.equal(reply.status, 418);
      assert.equal(reply.body, '');
      const redirect = await send(`${gw.web}/redirect`);
      assert.equal(redirect.status, 302);
      assert.match(String(redirect.headers.location), /^https:\/\/127\.0\.0\.1\/redirect$/);
    } finally {
      await gw.close();
      await backend.close();
    }
  });

  it('keeps bos-rf-to-https (infra/gateway/dynamic/bos-rf.yml) away from the model service, even with trusted X-Forwarded-Proto: https', async () => {
    const model = await startUpstream();
    const infra = join(import.meta.dirname, '..', '..', '..', '..', 'infra', 'gateway');
    const gw = await startGateway({
      env: { GATEWAY_WEBSECURE_PORT: '8443', BOS_RF_USERS_FILE: join(infra, 'bos-rf.htpasswd') },
      files: {
        'bos-rf.yml': await readFile(join(infra, 'dynamic', 'bos-rf.yml'), 'utf8'),
        'model-service.yml': `http:\n  services:\n    model-service:\n      loadBalancer:\n        servers: [{url: ${model.url}}]\n`,
      },
      // Forwarded headers trusted, as behind a load balancer: redirectScheme then sees "https" and passes.
      static: { entryPoints: { web: { forwardedHeaders: { insecure: true } } } },
    });
    try {
      const plain = await send(`${gw.web}/bos-rf/score/model`, { headers: { host: 'localhost:8000' } });
      assert.equal(plain.status, 302);
      assert.equal(plain.headers.location, 'https://localhost:8443/bos-rf/score/model');
      const passed = await send(`${gw.web}/bos-rf/score/model`, {
        headers: { host: 'localhost:8443', 'x-forwarded-proto': 'https' },
      });
      assert.equal(passed.status, 418);
      assert.equal(model.received.length, 0, 'the model service was never called past basic auth');
    } finally {
      await gw.close();
      await model.close();
    }
  });
});
