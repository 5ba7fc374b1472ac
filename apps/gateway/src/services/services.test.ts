import assert from 'node:assert/strict';
import { once } from 'node:events';
import { PassThrough } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { request } from 'undici';
import {
  closedPort,
  eventually,
  send,
  sendWithNodeClient,
  startGateway,
  startUpstream,
  type TestGateway,
  type Upstream,
} from '../testing/harness.ts';

describe('services: load balancing and proxying', () => {
  let a: Upstream;
  let b: Upstream;
  let echo: Upstream;
  let hang: Upstream;
  let streamer: Upstream;
  let gw: TestGateway;
  let trusted: string;

  before(async () => {
    a = await startUpstream((req, res) => {
      res.writeHead(200, { connection: 'x-resp-hop', 'x-resp-hop': '1', 'x-kept': '1' });
      res.end(`a ${req.headers.host}`);
    });
    b = await startUpstream((_req, res) => res.end('b'));
    echo = await startUpstream();
    hang = await startUpstream(() => {}); // accepts, never answers
    // Answers at once, then echoes the request body chunk by chunk as it arrives.
    streamer = await startUpstream(
      (req, res) => {
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        res.flushHeaders();
        req.pipe(res);
      },
      { readBody: false },
    );
    const refused = await closedPort();
    const service = (name: string, body: string) => `    ${name}:\n      loadBalancer:\n${body}`;
    const router = (name: string, path: string) =>
      `    ${name}:\n      rule: PathPrefix(\`${path}\`)\n      service: ${name}\n`;
    gw = await startGateway({
      static: { entryPoints: { trusted: { address: '127.0.0.1:0', forwardedHeaders: { insecure: true } } } },
      files: {
        'services.yml': `http:
  routers:
${router('rr', '/rr')}
${router('weighted', '/weighted')}
${router('nohost', '/nohost')}
${router('echo', '/echo')}
${router('refused', '/refused')}
${router('slow', '/slow')}
${router('empty', '/empty')}
${router('stream', '/stream')}
${router('preserve', '/preserve')}
  services:
${service('rr', `        servers: [{url: "${a.url}"}, {url: "${b.url}"}]\n`)}
${service('weighted', `        servers: [{url: "${a.url}", weight: 3}, {url: "${b.url}", weight: 1}]\n`)}
${service('nohost', `        passHostHeader: false\n        servers: [{url: "${a.url}"}]\n`)}
${service('echo', `        servers: [{url: "${echo.url}"}]\n`)}
${service('refused', `        servers: [{url: "http://127.0.0.1:${refused}"}]\n`)}
${service('slow', `        serversTransport: quick\n        servers: [{url: "${hang.url}"}]\n`)}
${service('empty', `        servers: []\n`)}
${service('stream', `        servers: [{url: "${streamer.url}"}]\n`)}
${service('preserve', `        servers: [{url: "${echo.url}/base", preservePath: true}]\n`)}
  serversTransports:
    quick:
      forwardingTimeouts:
        responseHeaderTimeout: 200ms
`,
      },
    });
    trusted = gw.gateway.url('trusted');
  });

  after(async () => {
    await gw.close();
    for (const upstream of [a, b, echo, hang, streamer]) await upstream.close();
  });

  it('round-robins across servers', async () => {
    const bodies: string[] = [];
    for (let i = 0; i < 4; i++) bodies.push((await send(`${gw.web}/rr`)).body.split(' ')[0] ?? '');
    assert.deepEqual(bodies, ['a', 'b', 'a', 'b']);
  });

  it('honours weights', async () => {
    const bodies: string[] = [];
    for (let i = 0; i < 8; i++) bodies.push((await send(`${gw.web}/weighted`)).body.split(' ')[0] ?? '');
    assert.equal(bodies.filter((x) => x === 'a').length, 6);
    assert.equal(bodies.filter((x) => x === 'b').length, 2);
  });

  it('passes the client Host by default, the server host with passHostHeader: false', async () => {
    assert.equal((await send(`${gw.web}/rr`, { headers: { host: 'shop.example' } })).body, 'a shop.example');
    assert.equal(
      (await send(`${gw.web}/nohost`, { headers: { host: 'shop.example' } })).body,
      `a 127.0.0.1:${a.port}`,
    );
  });

  it('answers 502 Bad Gateway when the server refuses connections', async () => {
    const reply = await send(`${gw.web}/refused`);
    assert.equal(reply.status, 502);
    assert.equal(reply.body, 'Bad Gateway');
  });

  it('answers 504 Gateway Timeout when the server is slower than responseHeaderTimeout', async () => {
    const reply = await send(`${gw.web}/slow`);
    assert.equal(reply.status, 504);
    assert.equal(reply.body, 'Gateway Timeout');
  });

  it('answers 503 no available server without servers', async () => {
    const reply = await send(`${gw.web}/empty`);
    assert.equal(reply.status, 503);
    assert.equal(reply.body, 'no available server\n');
  });

  it('streams bodies both ways without buffering (chunk ping-pong), then a large body', async () => {
    const upload = new PassThrough();
    // undici sends a request head together with the first body chunk, so the first chunk goes out first.
    upload.write('chunk-0;');
    const response = await request(`${gw.web}/stream`, { method: 'POST', body: upload });
    assert.equal(response.statusCode, 200);
    const reader = response.body[Symbol.asyncIterator]();
    // Each chunk must come back before the next is sent: impossible if either direction were buffered.
    for (let i = 0; i < 5; i++) {
      const chunk = `chunk-${i};`;
      if (i > 0) upload.write(chunk);
      let got = '';
      while (got.length < chunk.length) {
        const next = await reader.next();
        assert.equal(next.done, false);
        got += Buffer.from(next.value as Uint8Array).toString();
      }
      assert.equal(got, chunk);
    }
    const block = Buffer.alloc(64 * 1024, 'x');
    let sent = 0;
    for (let i = 0; i < 64; i++) {
      if (!upload.write(block)) await once(upload, 'drain');
      sent += block.length;
    }
    upload.end();
    let received = 0;
    for (;;) {
      const next = await reader.next();
      if (next.done) break;
      received += (next.value as Uint8Array).length;
    }
    assert.equal(received, sent);
  });

  it('appends the peer to X-Forwarded-For and sets Traefik forwarded headers (untrusted client)', async () => {
    const reply = await send(`${gw.web}/echo`, {
      headers: {
        host: 'shop.example:8000',
        'x-forwarded-for': '6.6.6.6',
        'x-real-ip': '6.6.6.6',
        'x-forwarded-host': 'evil',
      },
    });
    const seen = reply.json<{ headers: Record<string, string> }>().headers;
    assert.equal(seen['x-forwarded-for'], '127.0.0.1');
    assert.equal(seen['x-real-ip'], '127.0.0.1');
    assert.equal(seen['x-forwarded-host'], 'shop.example:8000');
    assert.equal(seen['x-forwarded-proto'], 'http');
    assert.equal(seen['x-forwarded-port'], '8000');
    assert.ok(seen['x-forwarded-server']);
  });

  it('keeps a trusted peer X-Forwarded-For and appends the peer', async () => {
    const reply = await send(`${trusted}/echo`, {
      headers: { 'x-forwarded-for': '10.0.0.1', 'x-forwarded-proto': 'https' },
    });
    const seen = reply.json<{ headers: Record<string, string> }>().headers;
    assert.equal(seen['x-forwarded-for'], '10.0.0.1, 127.0.0.1');
    assert.equal(seen['x-forwarded-proto'], 'https');
  });

  it('removes hop-by-hop headers both ways', async () => {
    const seen = (
      await sendWithNodeClient(`${gw.web}/echo`, {
        connection: 'close, x-hop',
        'x-hop': '1',
        te: 'deflate, trailers',
      })
    ).json<{
      headers: Record<string, string>;
    }>().headers;
    assert.equal(seen['x-hop'], undefined);
    // TE is hop-by-hop, but Go's proxy (so Traefik) sends `TE: trailers` on when the client offered it.
    assert.equal(seen.te, 'trailers');
    const reply = await send(`${gw.web}/nohost`);
    assert.equal(reply.headers['x-resp-hop'], undefined);
    assert.equal(reply.headers['x-kept'], '1');
  });

  it('sends the request path and query, joined to the server path with preservePath', async () => {
    const seen = (await send(`${gw.web}/preserve/x?a=1;b=2`)).json<{ url: string }>();
    assert.equal(seen.url, '/base/preserve/x?a=1&b=2');
  });

  it('logs 499 when the client goes away before the answer', async () => {
    const before = hang.received.length;
    const controller = new AbortController();
    const pending = request(`${gw.web}/slow/abandoned`, {
      signal: controller.signal,
      headers: { 'x-test': '499' },
    }).catch(() => undefined);
    await eventually(() => hang.received.length > before);
    controller.abort();
    await pending;
    await eventually(() => gw.access.some((line) => line.RequestPath === '/slow/abandoned'));
    const line = gw.access.find((entry) => entry.RequestPath === '/slow/abandoned');
    assert.equal(line?.DownstreamStatus, 499);
  });
});
