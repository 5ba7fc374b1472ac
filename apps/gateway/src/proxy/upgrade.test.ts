import assert from 'node:assert/strict';
import { once } from 'node:events';
import type { Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { type CloseEvent, type MessageEvent, WebSocket } from 'undici';
import {
  closedPort,
  eventually,
  send,
  startGateway,
  startUpstream,
  type TestGateway,
  type Upstream,
} from '../testing/harness.ts';
import { createTestCa } from '../testing/test-pki.ts';
import { acceptKey, type EchoUpstream, openWebSocket, startEchoUpstream } from '../testing/websocket.ts';

describe('websockets through the gateway', { timeout: 20_000 }, () => {
  let auth: Upstream;
  let echo: EchoUpstream;
  let refusing: EchoUpstream;
  let gw: TestGateway;
  let authCalls = 0;
  let slowAuthGone: Promise<void>;
  let slowAuthClosed: () => void = () => {};

  before(async () => {
    slowAuthGone = new Promise((resolve) => {
      slowAuthClosed = resolve;
    });
    auth = await startUpstream((req, res) => {
      authCalls++;
      if (req.headers.authorization === 'Bearer slow') {
        // Never answers; tells the test when the gateway gives up on it.
        req.socket.once('close', () => slowAuthClosed());
        return;
      }
      if (req.headers.authorization === 'Bearer good') {
        res.writeHead(200, { 'x-auth-user': 'alice' });
        res.end();
        return;
      }
      res.writeHead(401, { 'content-type': 'application/json', 'www-authenticate': 'Bearer' });
      res.end('{"detail":"Not authenticated"}');
    });
    echo = await startEchoUpstream();
    refusing = await startEchoUpstream((req) =>
      req.url?.startsWith('/refused/other')
        ? { switchTo: 'h2c' }
        : { status: 403, body: 'no websockets here' },
    );
    const down = await closedPort();
    gw = await startGateway({
      static: { metrics: { prometheus: { addRoutersLabels: true } } },
      files: {
        'ws.yml': `http:
  middlewares:
    auth:
      forwardAuth:
        address: ${auth.url}/auth
        trustForwardHeader: false
        authResponseHeaders: [X-Auth-User]
    basic:
      basicAuth:
        users: ["test:$apr1$H6uskkkW$IgXLP6ewTrSuBkTrqE8wj/"]
    strip:
      stripPrefix:
        prefixes: [/rewritten]
    tag:
      headers:
        customRequestHeaders:
          X-Tag: gateway
        customResponseHeaders:
          X-Response-Tag: gateway
    no-upgrade:
      headers:
        customRequestHeaders:
          Upgrade: ""
    local-only:
      ipAllowList:
        sourceRange: [127.0.0.1/32]
    elsewhere-only:
      ipAllowList:
        sourceRange: [10.0.0.0/8]
    gzip:
      compress: {}
    buffer:
      buffering:
        maxResponseBodyBytes: 1000000
    again:
      retry:
        attempts: 3
    pages:
      errors:
        status: ["500-599"]
        service: echo
        query: /error
  routers:
    ws:
      rule: PathPrefix(\`/ws\`)
      middlewares: [auth]
      service: echo
    open:
      rule: PathPrefix(\`/open\`)
      service: echo
    counted:
      rule: PathPrefix(\`/counted\`)
      service: echo
    basic:
      rule: PathPrefix(\`/basic\`)
      middlewares: [basic]
      service: echo
    wrapped:
      rule: PathPrefix(\`/wrapped\`)
      middlewares: [gzip, buffer, again, pages]
      service: echo
    rewritten:
      rule: PathPrefix(\`/rewritten\`)
      middlewares: [strip, tag, local-only]
      service: echo
    unasked:
      rule: PathPrefix(\`/unasked\`)
      middlewares: [no-upgrade]
      service: echo
    fenced:
      rule: PathPrefix(\`/fenced\`)
      middlewares: [elsewhere-only]
      service: echo
    refused:
      rule: PathPrefix(\`/refused\`)
      service: refusing
    down:
      rule: PathPrefix(\`/down\`)
      service: down
  services:
    echo:
      loadBalancer:
        servers: [{url: "${echo.url}"}]
    refusing:
      loadBalancer:
        servers: [{url: "${refusing.url}"}]
    down:
      loadBalancer:
        servers: [{url: "http://127.0.0.1:${down}"}]
`,
      },
    });
  });

  after(async () => {
    await gw.close();
    await auth.close();
    await echo.close();
    await refusing.close();
  });

  it('refuses an upgrade forwardAuth denies with the auth server answer, and nothing reaches the upstream', async () => {
    const before = echo.handshakes.length;
    const ws = await openWebSocket(`${gw.web}/ws/chat`, { authorization: 'Bearer wrong' });
    assert.equal(ws.status, 401);
    assert.equal(ws.body, '{"detail":"Not authenticated"}');
    assert.equal(ws.headers['www-authenticate'], 'Bearer');
    assert.equal(ws.headers.connection, 'close');
    if (!ws.socket.destroyed) await once(ws.socket, 'close');
    assert.equal(echo.handshakes.length, before);
  });

  it('switches an authenticated upgrade, echoes frames, and sends the identity from the auth server only', async () => {
    const ws = await openWebSocket(`${gw.web}/ws/chat?room=1`, {
      authorization: 'Bearer good',
      'x-auth-user': 'mallory',
    });
    assert.equal(ws.status, 101);
    assert.equal(ws.headers.upgrade, 'websocket');
    assert.equal(ws.headers.connection, 'Upgrade');
    assert.equal(ws.headers['sec-websocket-accept'], acceptKey(ws.key));
    assert.equal(ws.headers['x-upstream'], 'echo');
    ws.send('hello');
    assert.equal(await ws.next(), 'echo: hello');
    ws.send('x'.repeat(300));
    assert.equal(await ws.next(), `echo: ${'x'.repeat(300)}`);

    const handshake = echo.handshakes.at(-1)!;
    assert.equal(handshake.url, '/ws/chat?room=1');
    assert.equal(handshake.headers['x-auth-user'], 'alice');
    assert.deepEqual(
      handshake.rawHeaders.filter((_, i, raw) => raw[i - 1]?.toLowerCase() === 'x-auth-user'),
      ['alice'],
    );
    assert.equal(handshake.headers.connection?.toLowerCase(), 'upgrade');
    assert.equal(handshake.headers.upgrade, 'websocket');
    assert.equal(handshake.headers['sec-websocket-key'], ws.key);
    assert.equal(handshake.headers['x-forwarded-proto'], 'ws');
    assert.equal(handshake.headers['x-forwarded-for'], '127.0.0.1');
    ws.socket.destroy();
  });

  it("works with undici's WebSocket client, frames masked and parsed by a real implementation", async () => {
    const socket = new WebSocket(`${gw.web.replace('http:', 'ws:')}/ws/undici`, {
      headers: { authorization: 'Bearer good' },
    });
    const opened = once(socket, 'open');
    const message = once(socket, 'message');
    await opened;
    socket.send('from undici');
    const [event] = (await message) as [MessageEvent];
    assert.equal(event.data, 'echo: from undici');
    assert.equal(echo.handshakes.at(-1)?.headers['x-auth-user'], 'alice');
    const closed = once(socket, 'close');
    socket.close(1000, 'done');
    const [close] = (await closed) as [CloseEvent];
    // The close handshake went through both ways.
    assert.equal(close.wasClean, true);
    assert.equal(close.code, 1000);
  });

  it('records a switched connection once, with status 101, when it closes (access log and metrics)', async () => {
    const ws = await openWebSocket(`${gw.web}/counted/log-me`);
    assert.equal(ws.status, 101);
    ws.send('one');
    assert.equal(await ws.next(), 'echo: one');
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(gw.access.filter((line) => line.RequestPath === '/counted/log-me').length, 0);
    ws.socket.end();
    await eventually(() => gw.access.some((line) => line.RequestPath === '/counted/log-me'));
    await new Promise((resolve) => setTimeout(resolve, 50));
    const lines = gw.access.filter((line) => line.RequestPath === '/counted/log-me');
    assert.equal(lines.length, 1);
    assert.equal(lines[0]?.DownstreamStatus, 101);
    assert.equal(lines[0]?.OriginStatus, 101);
    assert.equal(lines[0]?.RouterName, 'counted@file');
    const metrics = (await send(`${gw.admin}/metrics`)).body;
    const samples = metrics
      .split('\n')
      .filter((line) => line.startsWith('traefik_router_requests_total{') && line.includes('counted@file'));
    assert.equal(samples.length, 1, samples.join('\n'));
    assert.match(samples[0] ?? '', /code="101"/);
    assert.match(samples[0] ?? '', /protocol="websocket"/);
    assert.match(samples[0] ?? '', / 1$/);
  });

  it('closes the client connection when the upstream closes, and the upstream one when the client does', async () => {
    const first = await openWebSocket(`${gw.web}/open/a`);
    assert.equal(first.status, 101);
    first.send('ping');
    assert.equal(await first.next(), 'echo: ping');
    echo.sockets.at(-1)!.end();
    assert.equal(await first.next(), undefined);

    const second = await openWebSocket(`${gw.web}/open/b`);
    assert.equal(second.status, 101);
    second.send('ping');
    assert.equal(await second.next(), 'echo: ping');
    const upstreamSide = echo.sockets.at(-1)!;
    second.socket.destroy();
    // The gateway closes its side (the test upstream, an HTTP server, allows half-open connections).
    if (!upstreamSide.readableEnded) await once(upstreamSide, 'end');
  });

  it('relays an upstream that refuses to switch', async () => {
    const ws = await openWebSocket(`${gw.web}/refused`);
    assert.equal(ws.status, 403);
    assert.equal(ws.body, 'no websockets here');
    assert.equal(ws.headers.connection, 'close');
    assert.equal(refusing.handshakes.at(-1)?.headers.upgrade, 'websocket');
  });

  it('answers 500 when the upstream switches to another protocol than the one asked for', async () => {
    const ws = await openWebSocket(`${gw.web}/refused/other`);
    assert.equal(ws.status, 500);
    assert.equal(ws.body, 'Internal Server Error');
  });

  it('relays to the upstream what the client sent right after its handshake', async () => {
    const ws = await openWebSocket(`${gw.web}/open/early`, {}, { early: 'eager' });
    assert.equal(ws.status, 101);
    assert.equal(await ws.next(), 'echo: eager');
    ws.socket.destroy();
  });

  it('answers 502 when the upstream is down', async () => {
    const ws = await openWebSocket(`${gw.web}/down`);
    assert.equal(ws.status, 502);
    assert.equal(ws.body, 'Bad Gateway');
  });

  it('answers 404 for an upgrade no router matches', async () => {
    const ws = await openWebSocket(`${gw.web}/nowhere`);
    assert.equal(ws.status, 404);
    assert.equal(ws.body, '404 page not found\n');
  });

  it('applies basicAuth to the upgrade request', async () => {
    const denied = await openWebSocket(`${gw.web}/basic`);
    assert.equal(denied.status, 401);
    assert.equal(denied.headers['www-authenticate'], 'Basic realm="traefik"');
    const allowed = await openWebSocket(`${gw.web}/basic`, {
      authorization: `Basic ${Buffer.from('test:test').toString('base64')}`,
    });
    assert.equal(allowed.status, 101);
    allowed.send('hi');
    assert.equal(await allowed.next(), 'echo: hi');
    allowed.socket.destroy();
  });

  it('applies stripPrefix, headers and ipAllowList to the upgrade request', async () => {
    const ws = await openWebSocket(`${gw.web}/rewritten/room`);
    assert.equal(ws.status, 101);
    // As in Traefik, response-header middlewares do not touch a 101.
    assert.equal(ws.headers['x-response-tag'], undefined);
    ws.send('hi');
    assert.equal(await ws.next(), 'echo: hi');
    const handshake = echo.handshakes.at(-1)!;
    assert.equal(handshake.url, '/room');
    assert.equal(handshake.headers['x-forwarded-prefix'], '/rewritten');
    assert.equal(handshake.headers['x-tag'], 'gateway');
    ws.socket.destroy();

    const before = echo.handshakes.length;
    const fenced = await openWebSocket(`${gw.web}/fenced`);
    assert.equal(fenced.status, 403);
    assert.equal(echo.handshakes.length, before);
  });

  it('sends a plain request upstream when a middleware removed Upgrade, and relays its answer', async () => {
    const before = echo.handshakes.length;
    const ws = await openWebSocket(`${gw.web}/unasked`);
    // The echo upstream answers 426 to a request that does not ask to switch.
    assert.equal(ws.status, 426);
    assert.equal(ws.body, 'upgrade required');
    assert.equal(echo.handshakes.length, before);
    if (!ws.socket.destroyed) await once(ws.socket, 'close');
  });

  it('switches through compress, buffering, retry and errors, which leave a switch alone', async () => {
    const ws = await openWebSocket(`${gw.web}/wrapped`, { 'accept-encoding': 'gzip' });
    assert.equal(ws.status, 101);
    assert.equal(ws.headers['content-encoding'], undefined);
    ws.send('through');
    assert.equal(await ws.next(), 'echo: through');
    ws.socket.destroy();
  });

  it('cancels the auth call when the client leaves during it, and stays up', async () => {
    const callsBefore = authCalls;
    const handshakesBefore = echo.handshakes.length;
    let client: Socket | undefined;
    const pending = openWebSocket(
      `${gw.web}/ws/slow`,
      { authorization: 'Bearer slow' },
      { onSocket: (socket) => (client = socket) },
    );
    await eventually(() => authCalls > callsBefore);
    client?.destroy();
    await assert.rejects(pending, /connection closed before an answer/);
    await slowAuthGone;
    assert.equal(echo.handshakes.length, handshakesBefore);
    await eventually(() => gw.access.some((line) => line.RequestPath === '/ws/slow'));
    assert.equal(gw.access.find((line) => line.RequestPath === '/ws/slow')?.DownstreamStatus, 499);
    const ws = await openWebSocket(`${gw.web}/open/after`);
    assert.equal(ws.status, 101);
    ws.socket.destroy();
  });

  it('serves an h2c upgrade as plain HTTP/1.1', async () => {
    const up = await openWebSocket(
      `${gw.web}/open/h2c`,
      { 'http2-settings': 'AAMAAABkAAQAAP__' },
      { upgrade: 'h2c', connection: 'Upgrade, HTTP2-Settings' },
    );
    // The echo upstream answers 426 to a request that does not ask to switch.
    assert.equal(up.status, 426);
    assert.equal(up.body, 'upgrade required');
    assert.ok(!echo.handshakes.some((handshake) => handshake.url === '/open/h2c'));
    up.socket.destroy();
  });

  it('keeps a switched connection when its router is removed, and answers new upgrades 404', async () => {
    const ws = await openWebSocket(`${gw.web}/ws/keep`, { authorization: 'Bearer good' });
    assert.equal(ws.status, 101);
    ws.send('before');
    assert.equal(await ws.next(), 'echo: before');
    await gw.write('ws.yml', 'http: {}\n');
    await eventually(async () => (await openWebSocket(`${gw.web}/ws/keep`)).status === 404);
    ws.send('after');
    assert.equal(await ws.next(), 'echo: after');
    ws.socket.destroy();
  });
});

describe('websockets over TLS, and on close', { timeout: 20_000 }, () => {
  let h2: EchoUpstream;
  let h1: EchoUpstream;
  let gw: TestGateway;
  let closed = false;

  before(async () => {
    const ca = await createTestCa('websocket test CA');
    const pair = await ca.server({ ips: ['127.0.0.1'] });
    h2 = await startEchoUpstream(undefined, { ...pair, http2: true });
    h1 = await startEchoUpstream(undefined, pair);
    gw = await startGateway({
      static: {
        entryPoints: {
          websecure: {
            address: '127.0.0.1:0',
            http: { tls: {} },
            transport: { lifeCycle: { graceTimeOut: '1s' } },
          },
        },
      },
      files: {
        'wss.yml': `http:
  routers:
    h2:
      rule: PathPrefix(\`/h2\`)
      entryPoints: [websecure, web]
      service: h2
      tls: {}
    h1:
      rule: PathPrefix(\`/h1\`)
      entryPoints: [web]
      service: h1
  serversTransports:
    trusting:
      insecureSkipVerify: true
  services:
    h2:
      loadBalancer:
        serversTransport: trusting
        servers: [{url: "${h2.url}"}]
    h1:
      loadBalancer:
        serversTransport: trusting
        servers: [{url: "${h1.url}"}]
`,
      },
    });
  });

  after(async () => {
    if (!closed) await gw.close();
    await h2.close();
    await h1.close();
  });

  it('switches a wss:// client through a TLS entrypoint to an upstream that also speaks HTTP/2', async () => {
    const ws = await openWebSocket(`${gw.gateway.url('websecure')}/h2/secure`);
    assert.equal(ws.status, 101);
    ws.send('over tls');
    assert.equal(await ws.next(), 'echo: over tls');
    assert.equal(h2.handshakes.at(-1)?.headers['x-forwarded-proto'], 'wss');
    ws.socket.destroy();
  });

  it('switches to an HTTPS upstream speaking HTTP/1.1 only', async () => {
    const ws = await openWebSocket(`${gw.web}/h1/plain-client`);
    assert.equal(ws.status, 101);
    ws.send('to tls');
    assert.equal(await ws.next(), 'echo: to tls');
    assert.equal(h1.handshakes.at(-1)?.headers['x-forwarded-proto'], 'ws');
    ws.socket.destroy();
  });

  it('cuts switched connections once the grace period of a closing gateway is over', async () => {
    const ws = await openWebSocket(`${gw.web}/h1/lingering`);
    assert.equal(ws.status, 101);
    const started = Date.now();
    closed = true;
    await gw.close();
    // graceTimeOut is 1s in the test gateway.
    assert.ok(Date.now() - started < 5_000);
    assert.equal(await ws.next(), undefined);
  });
});
