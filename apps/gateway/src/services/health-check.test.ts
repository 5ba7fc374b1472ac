import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer as createHttp2Server } from 'node:http2';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { ServerHealthCheckConfig } from '../config/services-schema.ts';
import {
  eventually,
  send,
  startGateway,
  startUpstream,
  type TestGateway,
  type Upstream,
} from '../testing/harness.ts';
import { upstreamWithHealth } from '../testing/service-upstreams.ts';
import { createTestCa } from '../testing/test-pki.ts';
import { checkUrl, HealthChecker } from './health-check.ts';

const probes = (upstream: Upstream) => upstream.received.filter((r) => r.url.startsWith('/health'));

const serverStatus = async (gw: TestGateway, service: string) =>
  (await send(`${gw.admin}/api/http/services/${service}`)).json<{ serverStatus?: Record<string, string> }>()
    .serverStatus;

describe('loadBalancer.healthCheck', { timeout: 30_000 }, () => {
  let a: Awaited<ReturnType<typeof upstreamWithHealth>>;
  let b: Awaited<ReturnType<typeof upstreamWithHealth>>;
  let gw: TestGateway;
  const config = () => `http:
  routers:
    app:
      rule: PathPrefix(\`/app\`)
      service: app
  services:
    app:
      loadBalancer:
        servers: [{url: "${a.upstream.url}"}, {url: "${b.upstream.url}"}]
        healthCheck:
          path: /health?probe=1
          interval: 100ms
          timeout: 300ms
          hostname: health.example
          headers: {X-Probe: "yes"}
`;

  before(async () => {
    a = await upstreamWithHealth('a');
    b = await upstreamWithHealth('b');
    gw = await startGateway({ static: { metrics: { prometheus: {} } }, files: { 'app.yml': config() } });
  });
  after(async () => {
    await gw.close();
    await a.upstream.close();
    await b.upstream.close();
  });

  it('probes each server with the path, Host and headers configured, GET by default', async () => {
    await eventually(() => probes(a.upstream).length > 0 && probes(b.upstream).length > 0);
    const probe = probes(a.upstream)[0];
    assert.equal(probe?.method, 'GET');
    assert.equal(probe?.url, '/health?probe=1');
    assert.equal(probe?.headers.host, 'health.example');
    assert.equal(probe?.headers['x-probe'], 'yes');
  });

  it('takes a failing server out of rotation (DOWN, gauge 0) and puts it back once it passes', async () => {
    assert.deepEqual(await serverStatus(gw, 'app@file'), { [a.upstream.url]: 'UP', [b.upstream.url]: 'UP' });
    a.health.status = 500;
    await eventually(async () => (await serverStatus(gw, 'app@file'))?.[a.upstream.url] === 'DOWN');
    for (let i = 0; i < 4; i++) assert.equal((await send(`${gw.web}/app`)).body, 'b');
    const metrics = (await send(`${gw.admin}/metrics`)).body;
    assert.match(
      metrics,
      new RegExp(`traefik_service_server_up\\{service="app@file",url="${a.upstream.url}"\\} 0`),
    );
    assert.match(
      metrics,
      new RegExp(`traefik_service_server_up\\{service="app@file",url="${b.upstream.url}"\\} 1`),
    );
    const list = (await send(`${gw.admin}/api/http/services`)).json<
      { name: string; serverStatus?: object }[]
    >();
    assert.deepEqual(list.find((s) => s.name === 'app@file')?.serverStatus, {
      [a.upstream.url]: 'DOWN',
      [b.upstream.url]: 'UP',
    });
    assert.ok(gw.logs.some((line) => line.msg === 'health check failed, server out of rotation'));

    a.health.status = 204;
    await eventually(async () => (await serverStatus(gw, 'app@file'))?.[a.upstream.url] === 'UP');
    const bodies = new Set<string>();
    for (let i = 0; i < 4; i++) bodies.add((await send(`${gw.web}/app`)).body);
    assert.deepEqual([...bodies].sort(), ['a', 'b']);
  });

  it('answers 503 no available server while every server is down; a timeout counts as down', async () => {
    a.health.status = 503;
    b.health.hang = true;
    await eventually(async () => {
      const status = await serverStatus(gw, 'app@file');
      return status?.[a.upstream.url] === 'DOWN' && status?.[b.upstream.url] === 'DOWN';
    });
    const reply = await send(`${gw.web}/app`);
    assert.equal(reply.status, 503);
    assert.equal(reply.body, 'no available server\n');
    a.health.status = 200;
    b.health.hang = false;
    await eventually(async () => (await send(`${gw.web}/app`)).status === 200);
  });

  it('treats any 2xx or 3xx as healthy, and follows redirects by default', async () => {
    a.health.status = 302;
    a.health.location = '/redirected';
    const before = a.upstream.received.length;
    await eventually(() => a.upstream.received.slice(before).some((r) => r.url === '/redirected'));
    assert.equal((await serverStatus(gw, 'app@file'))?.[a.upstream.url], 'UP');
    a.health.location = '';
    a.health.status = 200;
  });

  it('stops probing a service removed by a reload, and probes the new one', async () => {
    const c = await upstreamWithHealth('c');
    try {
      const reloaded = gw.gateway.nextReload();
      await gw.write(
        'app.yml',
        `http:
  routers:
    other:
      rule: PathPrefix(\`/other\`)
      service: other
  services:
    other:
      loadBalancer:
        servers: [{url: "${c.upstream.url}"}]
        healthCheck: {path: /health, interval: 100ms}
`,
      );
      await reloaded;
      await eventually(() => probes(c.upstream).length >= 2);
      const count = probes(a.upstream).length;
      // Five intervals: a probe of the old runtime still in flight at the swap may land, no more.
      await new Promise((resolve) => setTimeout(resolve, 500));
      assert.ok(probes(a.upstream).length <= count + 1, 'the removed service is still probed');
      const metrics = (await send(`${gw.admin}/metrics`)).body;
      assert.doesNotMatch(metrics, /traefik_service_server_up\{service="app@file"/);
      assert.match(metrics, /traefik_service_server_up\{service="other@file",url="[^"]+"\} 1/);
      assert.equal((await send(`${gw.web}/other`)).body, 'c');
    } finally {
      await gw.write('app.yml', config());
      await c.upstream.close();
    }
  });
});

describe('loadBalancer.healthCheck options', { timeout: 30_000 }, () => {
  it('expects exactly `status` when set, does not follow redirects with followRedirects: false, and uses unhealthyInterval once down', async () => {
    const a = await upstreamWithHealth('a');
    const b = await upstreamWithHealth('b');
    const gw = await startGateway({
      files: {
        'app.yml': `http:
  services:
    exact:
      loadBalancer:
        servers: [{url: "${a.upstream.url}"}]
        healthCheck: {path: /health, interval: 100ms, status: 202, unhealthyInterval: 1h}
    noFollow:
      loadBalancer:
        servers: [{url: "${b.upstream.url}"}]
        healthCheck: {path: /health, interval: 100ms, followRedirects: false, method: HEAD}
`,
      },
    });
    try {
      b.health.status = 301;
      b.health.location = '/health-elsewhere';
      await eventually(async () => (await serverStatus(gw, 'exact@file'))?.[a.upstream.url] === 'DOWN');
      const probesWhenDown = probes(a.upstream).length;
      await eventually(() => probes(b.upstream).length >= 3);
      assert.ok(probes(b.upstream).every((r) => r.url === '/health' && r.method === 'HEAD'));
      assert.equal((await serverStatus(gw, 'noFollow@file'))?.[b.upstream.url], 'UP');
      // Down, the next probe is an hour away.
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.equal(probes(a.upstream).length, probesWhenDown);
    } finally {
      await gw.close();
      await a.upstream.close();
      await b.upstream.close();
    }
  });

  it('refuses what Traefik refuses or this gateway lacks, naming the field', async () => {
    const gw = await startGateway({
      files: {
        'bad.yml': `http:
  services:
    absolute:
      loadBalancer:
        servers: [{url: "http://127.0.0.1:1"}]
        healthCheck: {path: "http://elsewhere/health"}
    grpcish:
      loadBalancer:
        servers: [{url: "http://127.0.0.1:1"}]
        healthCheck: {mode: grpc-web}
`,
      },
    });
    try {
      const services = (await send(`${gw.admin}/api/http/services`)).json<
        { name: string; error?: string[] }[]
      >();
      assert.match(
        String(services.find((s) => s.name === 'absolute@file')?.error),
        /healthCheck.path: must be a relative URL/,
      );
      assert.match(
        String(services.find((s) => s.name === 'grpcish@file')?.error),
        /healthCheck.mode: expected one of http, grpc/,
      );
    } finally {
      await gw.close();
    }
  });
});

/** A healthCheck as the schema gives it for `path: /health` (Traefik's defaults). */
const base: ServerHealthCheckConfig = {
  path: '/health',
  mode: 'http',
  port: 0,
  method: 'GET',
  status: 0,
  interval: 30_000,
  timeout: 5_000,
  followRedirects: true,
  headers: {},
};

describe('checkUrl', { timeout: 30_000 }, () => {
  it('resolves the path against the server URL, then applies scheme and port (Traefik newRequest)', () => {
    assert.equal(checkUrl('http://10.0.0.1:81/app', base).href, 'http://10.0.0.1:81/health');
    assert.equal(
      checkUrl('http://10.0.0.1:81/app/', { ...base, path: 'health' }).href,
      'http://10.0.0.1:81/app/health',
    );
    assert.equal(checkUrl('http://10.0.0.1:81', { ...base, path: '' }).href, 'http://10.0.0.1:81/');
    assert.equal(
      checkUrl('http://10.0.0.1:81', { ...base, scheme: 'https', port: 8443 }).href,
      'https://10.0.0.1:8443/health',
    );
    assert.equal(checkUrl('http://10.0.0.1', { ...base, port: 8080 }).href, 'http://10.0.0.1:8080/health');
  });
});

describe('HealthChecker', { timeout: 30_000 }, () => {
  it('leaves no timer or probe behind once stopped, even with a probe in flight', async () => {
    const hanging = await startUpstream(() => {});
    const { Pool } = await import('undici');
    const pool = new Pool(hanging.url);
    const results: boolean[] = [];
    const checker = new HealthChecker({ ...base, interval: 20, timeout: 60_000 }, [hanging.url], {
      lease: () => pool,
      onResult: (_server, up) => results.push(up),
    });
    try {
      checker.start();
      await eventually(() => hanging.received.length > 0 || checker.pending > 1);
      await eventually(() => checker.pending === 1);
      checker.stop();
      assert.equal(checker.pending, 0);
      await new Promise((resolve) => setTimeout(resolve, 60));
      assert.deepEqual(results, []);
    } finally {
      await pool.destroy();
      await hanging.close();
    }
  });
});

describe('checkUrl with h2c servers', { timeout: 30_000 }, () => {
  it('probes an h2c:// server at its http origin', () => {
    const config = base;
    assert.equal(checkUrl('h2c://10.0.0.1:81', config).href, 'http://10.0.0.1:81/health');
    assert.equal(
      checkUrl('http://10.0.0.1:81', { ...config, scheme: 'h2c' }).href,
      'http://10.0.0.1:81/health',
    );
  });
});

describe('loadBalancer.healthCheck mode: grpc', { timeout: 30_000 }, () => {
  it('calls grpc.health.v1.Health/Check over cleartext HTTP/2 and needs SERVING', async () => {
    const answer = { code: 0, serving: 1 };
    const calls: string[] = [];
    const server = createHttp2Server();
    server.on('stream', (stream, headers) => {
      calls.push(`${headers[':method']} ${headers[':path']} ${headers['content-type']}`);
      stream.resume();
      stream.on('end', () => {
        stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
        stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': String(answer.code) }));
        if (answer.code !== 0) return stream.end();
        // HealthCheckResponse{status: answer.serving}, length-prefixed.
        stream.end(Buffer.from([0, 0, 0, 0, 2, 0x08, answer.serving]));
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const gw = await startGateway({
      files: {
        'grpc.yml': `http:
  services:
    adder:
      loadBalancer:
        servers: [{url: "${url}"}]
        healthCheck: {mode: grpc, interval: 100ms, timeout: 1s}
`,
      },
    });
    const down = async () => (await serverStatus(gw, 'adder@file'))?.[url] === 'DOWN';
    try {
      await eventually(() => calls.length > 0);
      assert.equal(calls[0], 'POST /grpc.health.v1.Health/Check application/grpc');
      assert.equal(await down(), false);
      answer.serving = 2; // NOT_SERVING
      await eventually(down);
      answer.serving = 1;
      await eventually(async () => !(await down()));
      answer.code = 12; // UNIMPLEMENTED
      await eventually(down);
      assert.ok(gw.logs.some((line) => line.reason === 'gRPC server does not implement the health protocol'));
    } finally {
      await gw.close();
      server.close();
    }
  });
});

describe('loadBalancer.healthCheck across reloads', { timeout: 30_000 }, () => {
  it('keeps a DOWN server out of rotation through a reload, and starts afresh when the healthCheck changes', async () => {
    const good = await upstreamWithHealth('good');
    const bad = await upstreamWithHealth('bad');
    bad.health.status = 500;
    const config = (intervals: string) => `http:
  routers:
    app: {rule: "PathPrefix(\`/app\`)", service: app}
  services:
    app:
      loadBalancer:
        servers: [{url: "${good.upstream.url}"}, {url: "${bad.upstream.url}"}]
        healthCheck: {path: /health, ${intervals}}
`;
    const gw = await startGateway({
      static: { metrics: { prometheus: {} } },
      files: { 'app.yml': config('interval: 100ms, unhealthyInterval: 1h') },
    });
    const badStatus = async () => (await serverStatus(gw, 'app@file'))?.[bad.upstream.url];
    try {
      await eventually(async () => (await badStatus()) === 'DOWN');
      // Any change reloads every service; the server found DOWN stays DOWN (its next probe is an hour away).
      let reloaded = gw.gateway.nextReload();
      await gw.write('other.yml', 'http:\n  middlewares:\n    other: {addPrefix: {prefix: /other}}\n');
      await reloaded;
      assert.equal(await badStatus(), 'DOWN');
      for (let i = 0; i < 4; i++) assert.equal((await send(`${gw.web}/app`)).body, 'good');
      const metrics = (await send(`${gw.admin}/metrics`)).body;
      assert.match(
        metrics,
        new RegExp(`traefik_service_server_up\\{service="app@file",url="${bad.upstream.url}"\\} 0`),
      );
      // A changed healthCheck is a new check: every server starts UP (Traefik's default).
      reloaded = gw.gateway.nextReload();
      await gw.write('app.yml', config('interval: 1h'));
      await reloaded;
      assert.equal(await badStatus(), 'UP');
    } finally {
      await gw.close();
      await good.upstream.close();
      await bad.upstream.close();
    }
  });
});

describe('loadBalancer.healthCheck through the service transport', { timeout: 30_000 }, () => {
  it('probes h2c:// servers over cleartext HTTP/2, and https:// ones with the serversTransport TLS settings', async () => {
    const seen: string[] = [];
    const h2c = createHttp2Server((req, res) => {
      seen.push(`${req.httpVersion} ${req.url} ${req.headers[':authority']}`);
      res.end('h2c');
    });
    h2c.listen(0, '127.0.0.1');
    await once(h2c, 'listening');
    const ca = await createTestCa('health check test CA');
    const tls = createHttpsServer(await ca.server({ ips: ['127.0.0.1'] }), (_req, res) => res.end('tls'));
    tls.listen(0, '127.0.0.1');
    await once(tls, 'listening');
    const h2cUrl = `h2c://127.0.0.1:${(h2c.address() as AddressInfo).port}`;
    const tlsUrl = `https://127.0.0.1:${(tls.address() as AddressInfo).port}`;
    const gw = await startGateway({
      files: {
        'transports.yml': `http:
  serversTransports:
    trusting: {insecureSkipVerify: true}
  services:
    cleartext:
      loadBalancer:
        servers: [{url: "${h2cUrl}"}]
        healthCheck: {path: /health, interval: 100ms, hostname: probe.example}
    skipVerify:
      loadBalancer:
        serversTransport: trusting
        servers: [{url: "${tlsUrl}"}]
        healthCheck: {path: /health, interval: 100ms}
    verifying:
      loadBalancer:
        servers: [{url: "${tlsUrl}"}]
        healthCheck: {path: /health, interval: 100ms}
`,
      },
    });
    try {
      await eventually(() => seen.length > 0);
      assert.equal(seen[0], '2.0 /health probe.example');
      // The server certificate is from an unknown CA: only the transport that skips verification reaches it.
      await eventually(async () => (await serverStatus(gw, 'verifying@file'))?.[tlsUrl] === 'DOWN');
      assert.equal((await serverStatus(gw, 'skipVerify@file'))?.[tlsUrl], 'UP');
      assert.equal((await serverStatus(gw, 'cleartext@file'))?.[h2cUrl], 'UP');
    } finally {
      await gw.close();
      h2c.close();
      tls.closeAllConnections();
      tls.close();
    }
  });
});
