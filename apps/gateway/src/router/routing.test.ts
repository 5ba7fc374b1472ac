import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { send, startGateway, startUpstream, type TestGateway, type Upstream } from '../testing/harness.ts';

describe('routing', () => {
  let a: Upstream;
  let b: Upstream;
  let gw: TestGateway;

  before(async () => {
    a = await startUpstream((_req, res) => res.end('a'));
    b = await startUpstream((_req, res) => res.end('b'));
    gw = await startGateway({
      files: {
        'routes.yml': `
http:
  routers:
    api:
      rule: PathPrefix(\`/api\`)
      service: a
    api-admin:
      # Longer rule → higher default priority: wins over /api for /api/admin.
      rule: PathPrefix(\`/api/admin\`)
      service: b
    low:
      rule: PathPrefix(\`/p\`)
      priority: 1
      service: a
    high:
      rule: PathPrefix(\`/p\`)
      priority: 100
      service: b
    web-only:
      rule: Path(\`/only-web\`)
      entryPoints: [web]
      service: a
    bad-rule:
      rule: Path(\`/broken\`
      service: a
    no-service:
      rule: Path(\`/orphan\`)
      service: missing
    no-middleware:
      rule: Path(\`/guarded\`)
      middlewares: [ghost]
      service: a
    health:
      # A gateway-provided service, as Traefik routes to ping@internal or api@internal.
      rule: Path(\`/healthz\`)
      entryPoints: [web]
      service: ping@internal
    unknown-type:
      rule: Path(\`/mystery\`)
      middlewares: [weird]
      service: a
  middlewares:
    weird:
      rewriteEverything: {}
  services:
    a:
      loadBalancer:
        servers: [{url: "${a.url}"}]
    b:
      loadBalancer:
        servers: [{url: "${b.url}"}]
`,
      },
    });
  });

  after(async () => {
    await gw.close();
    await a.close();
    await b.close();
  });

  it('routes by rule, the longer rule winning by default priority', async () => {
    assert.equal((await send(`${gw.web}/api/users`)).body, 'a');
    assert.equal((await send(`${gw.web}/api/admin/x`)).body, 'b');
  });

  it('uses an explicit priority, highest first', async () => {
    assert.equal((await send(`${gw.web}/p`)).body, 'b');
  });

  it('answers 404 page not found as Go does when nothing matches', async () => {
    const reply = await send(`${gw.web}/nowhere`);
    assert.equal(reply.status, 404);
    assert.equal(reply.body, '404 page not found\n');
    assert.equal(reply.headers['content-type'], 'text/plain; charset=utf-8');
  });

  it('attaches a router only to its entryPoints', async () => {
    assert.equal((await send(`${gw.web}/only-web`)).status, 200);
    assert.equal((await send(`${gw.admin}/only-web`)).status, 404);
    // No entryPoints: all of them.
    assert.equal(
      (await send(`${gw.admin}/api/users`)).status,
      404,
      'the admin API wins on /api/* of traefik',
    );
    assert.equal((await send(`${gw.admin}/p`)).body, 'b');
  });

  it('disables routers with a bad rule, a missing service or middleware, or an unknown middleware type', async () => {
    for (const path of ['/broken', '/orphan', '/guarded', '/mystery']) {
      const reply = await send(`${gw.web}${path}`);
      assert.equal(reply.status, 404, path);
    }
    assert.equal((await send(`${gw.web}/api`)).status, 200, 'the other routers keep serving');
  });

  it('reports statuses and errors in the admin API with Traefik shapes', async () => {
    const routers = (await send(`${gw.admin}/api/http/routers`)).json<Record<string, unknown>[]>();
    const byName = new Map(routers.map((r) => [r.name, r]));
    assert.equal(byName.get('api@file')?.status, 'enabled');
    assert.deepEqual(byName.get('api@file')?.using, ['traefik', 'web']);
    assert.equal(byName.get('api@file')?.provider, 'file');
    assert.equal(byName.get('api@file')?.priority, 'PathPrefix(`/api`)'.length);
    assert.equal(byName.get('bad-rule@file')?.status, 'disabled');
    assert.deepEqual(byName.get('no-service@file')?.error, ['the service "missing@file" does not exist']);
    assert.deepEqual(byName.get('no-middleware@file')?.error, ['middleware "ghost@file" does not exist']);
    assert.match(
      String((byName.get('unknown-type@file')!.error as string[])[0]),
      /unknown middleware type "rewriteEverything"/,
    );

    const service = (await send(`${gw.admin}/api/http/services/a@file`)).json();
    assert.equal(service.type, 'loadbalancer');
    assert.deepEqual(service.serverStatus, { [a.url]: 'UP' });
    assert.ok((service.usedBy as string[]).includes('api@file'));

    const middleware = (await send(`${gw.admin}/api/http/middlewares/weird@file`)).json();
    assert.equal(middleware.status, 'disabled');

    const overview = (await send(`${gw.admin}/api/overview`)).json<{
      http: { routers: Record<string, number> };
    }>();
    assert.deepEqual(overview.http.routers, { total: 10, warnings: 0, errors: 4 });
    assert.equal((await send(`${gw.admin}/api/http/routers/nope@file`)).status, 404);
    const raw = (await send(`${gw.admin}/api/rawdata`)).json<{ routers: Record<string, unknown> }>();
    assert.ok('api@file' in raw.routers);
  });

  it('routes to internal services such as ping@internal', async () => {
    assert.equal((await send(`${gw.web}/healthz`)).body, 'OK');
  });

  it('answers /ping on the admin entrypoint', async () => {
    const reply = await send(`${gw.admin}/ping`);
    assert.equal(reply.status, 200);
    assert.equal(reply.body, 'OK');
  });

  it('writes one access-log line per request with Traefik field names', async () => {
    await send(`${gw.web}/api/log-me?x=1`);
    const line = gw.access.find((entry) => entry.RequestPath === '/api/log-me?x=1');
    assert.ok(line);
    assert.equal(line.RouterName, 'api@file');
    assert.equal(line.ServiceName, 'a@file');
    assert.equal(line.DownstreamStatus, 200);
    assert.equal(line.OriginStatus, 200);
    assert.equal(line.RequestMethod, 'GET');
    assert.equal(line.ClientHost, '127.0.0.1');
    assert.equal(line.entryPointName, 'web');
    assert.equal(typeof line.Duration, 'number');
    assert.equal(line.DownstreamContentSize, 1);
    assert.equal(line.OriginContentSize, 1);
    assert.ok((line.OriginDuration as number) > 0);
  });
});
