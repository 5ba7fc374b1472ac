import assert from 'node:assert/strict';
import type { Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { send, startGateway, startUpstream, type TestGateway, type Upstream } from '../testing/harness.ts';
import { type ChildGateway, startChildGateway } from './child-gateway.ts';
import { openSocket, readRest, requestOn, statusOf } from './raw-client.ts';

// Connections: many idle keep-alive clients are held without slowing anyone down, and slow clients (headers
// or body trickled in) are cut off at the entrypoint's respondingTimeouts.readTimeout while others are served.

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function app(upstream: string): string {
  return `http:
  routers:
    app:
      rule: PathPrefix(\`/app\`)
      service: app
  services:
    app:
      loadBalancer:
        servers:
          - url: ${upstream}
`;
}

async function openConnections(gateway: ChildGateway): Promise<number> {
  const metrics = await send(`${gateway.url('traefik')}/metrics`);
  const line = /^traefik_open_connections\{[^}]*entrypoint="web"[^}]*\} (\d+)/m.exec(metrics.body);
  return Number(line?.[1] ?? Number.NaN);
}

describe('1,000 idle keep-alive connections', () => {
  let backend: Upstream;
  let gateway: ChildGateway;
  const sockets: Socket[] = [];

  before(async () => {
    backend = await startUpstream((_req, res) => res.end('ok'));
    gateway = await startChildGateway({
      staticExtra: 'metrics:\n  prometheus: {}',
      files: { 'app.yml': app(backend.url) },
    });
  });
  after(async () => {
    for (const socket of sockets) socket.destroy();
    await gateway.close();
    await backend.close();
  });

  it('holds them, serves a new client at once meanwhile, and releases them when they close', {
    timeout: 60_000,
  }, async (t) => {
    const port = Number(new URL(gateway.url('web')).port);
    const head = 'GET /app HTTP/1.1\r\nHost: localhost\r\n\r\n';
    // 1,000 clients, 50 at a time, each makes one request and then stays connected, idle.
    for (let batch = 0; batch < 20; batch++) {
      const opened = await Promise.all(
        Array.from({ length: 50 }, async () => {
          const socket = await openSocket(port);
          const reply = await requestOn(socket, head);
          assert.equal(statusOf(reply), 200);
          return socket;
        }),
      );
      sockets.push(...opened);
    }
    assert.equal(await openConnections(gateway), 1000);

    const started = performance.now();
    const reply = await send(`${gateway.url('web')}/app`);
    const elapsed = performance.now() - started;
    t.diagnostic(`a new request with 1,000 idle connections open: ${elapsed.toFixed(1)} ms`);
    assert.equal(reply.status, 200);
    assert.ok(elapsed < 1000, `${elapsed} ms`);

    // They are still usable: a second request on some of them is answered on the same connection.
    for (const socket of sockets.filter((_, i) => i % 100 === 0)) {
      assert.equal(statusOf(await requestOn(socket, head)), 200);
    }

    for (const socket of sockets) socket.destroy();
    const deadline = Date.now() + 10_000;
    // One connection stays: the `send` above keeps its own.
    while ((await openConnections(gateway)) > 1 && Date.now() < deadline) await sleep(50);
    assert.ok((await openConnections(gateway)) <= 1);
  });
});

describe('slow clients and respondingTimeouts (readTimeout, idleTimeout)', () => {
  let backend: Upstream;
  let gw: TestGateway;
  let port: number;

  before(async () => {
    // Reads the whole body first; a body cut off on the way only ends the request.
    backend = await startUpstream(
      (req, res) => {
        req.on('error', () => {});
        req.resume();
        req.on('end', () => res.end('ok'));
      },
      { readBody: false },
    );
    gw = await startGateway({
      files: { 'app.yml': app(backend.url) },
      static: {
        entryPoints: { web: { transport: { respondingTimeouts: { readTimeout: '1s', idleTimeout: '1s' } } } },
      },
    });
    port = Number(new URL(gw.web).port);
  });
  after(async () => {
    await gw.close();
    await backend.close();
  });

  /** Opens `count` connections that send `head` then one byte of `trickle` every 100 ms, forever. */
  async function trickling(count: number, head: string, trickle: string) {
    const clients = await Promise.all(
      Array.from({ length: count }, async () => {
        const socket = await openSocket(port);
        socket.write(head);
        let i = 0;
        const timer = setInterval(() => {
          if (!socket.destroyed) socket.write(trickle[i++ % trickle.length] as string);
        }, 100);
        const opened = performance.now();
        const answer = readRest(socket, 10_000).then((text) => {
          clearInterval(timer);
          return { text, after: performance.now() - opened };
        });
        return { socket, timer, answer };
      }),
    );
    return clients;
  }

  async function checkCutOff(
    clients: Awaited<ReturnType<typeof trickling>>,
    t: { diagnostic(m: string): void },
  ) {
    // Meanwhile, a normal client is served at once.
    await sleep(300);
    const started = performance.now();
    const reply = await send(`${gw.web}/app`);
    const elapsed = performance.now() - started;
    assert.equal(reply.status, 200);
    assert.ok(elapsed < 500, `a normal request took ${elapsed} ms`);
    const answers = await Promise.all(clients.map((client) => client.answer));
    const times = answers.map((a) => a.after);
    t.diagnostic(
      `${answers.length} slow clients cut off after ${Math.min(...times).toFixed(0)}-${Math.max(...times).toFixed(0)} ms (readTimeout 1s); normal request ${elapsed.toFixed(1)} ms`,
    );
    for (const { text, after } of answers) {
      assert.ok(after >= 900 && after < 3000, `cut off after ${after} ms`);
      // Node answers 408 when nothing was sent yet; an empty answer (the connection closed) is as good.
      assert.ok(text === '' || statusOf(text) === 408, text.slice(0, 60));
    }
  }

  it('headers trickled in byte by byte (slowloris) are cut off after readTimeout', {
    timeout: 20_000,
  }, async (t) => {
    const clients = await trickling(
      20,
      'GET /app HTTP/1.1\r\n',
      'X-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n',
    );
    await checkCutOff(clients, t);
    assert.equal(backend.received.filter((r) => r.headers['x-slow'] !== undefined).length, 0);
  });

  it('a body trickled in byte by byte is cut off after readTimeout', { timeout: 20_000 }, async (t) => {
    const clients = await trickling(
      20,
      'POST /app HTTP/1.1\r\nHost: localhost\r\nContent-Length: 100000\r\n\r\n',
      'a',
    );
    await checkCutOff(clients, t);
  });

  it('an idle keep-alive connection is closed after idleTimeout', { timeout: 20_000 }, async (t) => {
    const socket = await openSocket(port);
    assert.equal(statusOf(await requestOn(socket, 'GET /app HTTP/1.1\r\nHost: localhost\r\n\r\n')), 200);
    const idleFrom = performance.now();
    await new Promise((resolve) => socket.once('close', resolve));
    const idle = performance.now() - idleFrom;
    t.diagnostic(`idle connection closed after ${idle.toFixed(0)} ms (idleTimeout 1s)`);
    assert.ok(idle >= 900 && idle < 3000, `${idle} ms`);
  });
});
