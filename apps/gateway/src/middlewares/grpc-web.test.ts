/**
 * grpcWeb through a real gateway to a cleartext HTTP/2 server that answers as a gRPC server does (length-prefixed
 * messages, grpc-status in trailers, or alone in the headers for an error): binary and base64 (`-text`) calls,
 * the trailer frame, CORS preflights and allowed origins, other requests untouched, and a reload.
 */

import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type Http2Server, type IncomingHttpHeaders } from 'node:http2';
import { after, before, describe, it } from 'node:test';
import { eventually, send, startGateway, type TestGateway } from '../testing/harness.ts';

/** A gRPC message frame: flag 0, big-endian length, payload. */
const frame = (payload: Buffer) => {
  const head = Buffer.alloc(5);
  head.writeUInt32BE(payload.length, 1);
  return Buffer.concat([head, payload]);
};

/** Splits a gRPC-Web body into its frames. */
function frames(body: Buffer): { trailer: boolean; payload: Buffer }[] {
  const out: { trailer: boolean; payload: Buffer }[] = [];
  for (let at = 0; at < body.length; ) {
    const length = body.readUInt32BE(at + 1);
    out.push({ trailer: (body[at] ?? 0) >= 0x80, payload: body.subarray(at + 5, at + 5 + length) });
    at += 5 + length;
  }
  return out;
}

describe('grpcWeb', { timeout: 30_000 }, () => {
  let server: Http2Server;
  let gw: TestGateway;
  const seen: IncomingHttpHeaders[] = [];

  const config = (origins: string) => `
http:
  middlewares:
    web:
      grpcWeb:
        allowOrigins: ${origins}
  routers:
    grpc:
      rule: PathPrefix(\`/\`)
      middlewares: [web]
      service: grpc
  services:
    grpc:
      loadBalancer:
        servers: [{ url: "h2c://127.0.0.1:${(server.address() as { port: number }).port}" }]
`;

  before(async () => {
    server = createServer();
    server.on('stream', (stream, headers) => {
      seen.push(headers);
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        if (headers[':path'] === '/test.Echo/Fail') {
          // Trailers-only: the status is in the headers.
          stream.respond(
            {
              ':status': 200,
              'content-type': 'application/grpc',
              'grpc-status': '12',
              'grpc-message': 'nope',
            },
            { endStream: true },
          );
          return;
        }
        if (
          headers['content-type'] !== 'application/grpc+proto' &&
          headers['content-type'] !== 'application/grpc'
        ) {
          stream.respond({ ':status': 415 }, { endStream: true });
          return;
        }
        const request = frames(Buffer.concat(chunks))[0]?.payload ?? Buffer.alloc(0);
        stream.respond(
          { ':status': 200, 'content-type': headers['content-type'], 'x-reply': 'yes' },
          { waitForTrailers: true },
        );
        stream.on('wantTrailers', () =>
          stream.sendTrailers({ 'grpc-status': '0', 'grpc-message': 'all good', 'x-trace': 'abc' }),
        );
        stream.write(frame(Buffer.from(`echo:${request.toString()}`)));
        stream.end(frame(Buffer.from('second')));
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    gw = await startGateway({ files: { 'grpc-web.yml': config('["https://app.example"]') } });
  });

  after(async () => {
    await gw?.close();
    await new Promise((resolve) => server?.close(resolve));
  });

  const call = (path: string, body: Buffer | string, headers: Record<string, string>) =>
    fetch(`${gw.web}${path}`, { method: 'POST', body, headers }).then(async (res) => ({
      status: res.status,
      headers: res.headers,
      body: Buffer.from(await res.arrayBuffer()),
    }));

  it('turns a binary gRPC-Web call into gRPC over HTTP/2 and the trailers into the last frame', async () => {
    const reply = await call('/test.Echo/Echo', frame(Buffer.from('hi')), {
      'content-type': 'application/grpc-web+proto',
      'x-grpc-web': '1',
    });
    const upstream = seen.at(-1);
    assert.equal(upstream?.['content-type'], 'application/grpc+proto');
    assert.equal(upstream?.te, 'trailers');
    assert.equal(reply.status, 200);
    assert.equal(reply.headers.get('content-type'), 'application/grpc-web+proto');
    assert.match(
      reply.headers.get('access-control-expose-headers') ?? '',
      /Content-Type, .*X-Reply.*, grpc-status, grpc-message$/,
    );
    const parts = frames(reply.body);
    assert.deepEqual(
      parts.map((p) => [p.trailer, p.payload.toString()]),
      [
        [false, 'echo:hi'],
        [false, 'second'],
        [true, 'grpc-message: all good\r\ngrpc-status: 0\r\nx-trace: abc\r\n'],
      ],
    );
  });

  it('decodes a base64 (-text) call and answers in base64', async () => {
    const reply = await call('/test.Echo/Echo', frame(Buffer.from('text')).toString('base64'), {
      'content-type': 'application/grpc-web-text',
    });
    assert.equal(seen.at(-1)?.['content-type'], 'application/grpc');
    assert.equal(reply.headers.get('content-type'), 'application/grpc-web-text');
    // One padded base64 part per chunk, as Go's encoder flushed per write.
    const decoded = Buffer.concat(
      (reply.body.toString().match(/[^=]+=*/g) ?? []).map((part) => Buffer.from(part, 'base64')),
    );
    const parts = frames(decoded);
    assert.equal(parts[0]?.payload.toString(), 'echo:text');
    assert.equal(parts.at(-1)?.trailer, true);
  });

  it('leaves a trailers-only error in the headers, with no trailer frame', async () => {
    const reply = await call('/test.Echo/Fail', frame(Buffer.from('x')), {
      'content-type': 'application/grpc-web',
    });
    assert.equal(reply.headers.get('grpc-status'), '12');
    assert.equal(reply.headers.get('grpc-message'), 'nope');
    assert.equal(reply.body.length, 0);
  });

  it('answers a CORS preflight itself: headers only for an allowed origin', async () => {
    const preflight = (origin: string, method = 'POST') =>
      fetch(`${gw.web}/test.Echo/Echo`, {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': method,
          'access-control-request-headers': 'x-grpc-web,content-type',
        },
      });
    const before = seen.length;
    const ok = await preflight('https://app.example');
    assert.equal(ok.status, 200);
    assert.equal(ok.headers.get('access-control-allow-origin'), 'https://app.example');
    assert.equal(ok.headers.get('access-control-allow-methods'), 'POST');
    assert.equal(ok.headers.get('access-control-allow-headers'), 'X-Grpc-Web, Content-Type');
    assert.equal(ok.headers.get('access-control-allow-credentials'), 'true');
    assert.equal(ok.headers.get('access-control-max-age'), '600');
    const other = await preflight('https://evil.example');
    assert.equal(other.status, 200);
    assert.equal(other.headers.get('access-control-allow-origin'), null);
    assert.equal(
      (await preflight('https://app.example', 'PUT')).headers.get('access-control-allow-origin'),
      null,
    );
    assert.equal(seen.length, before, 'preflights never reach the service');
  });

  it('gives an allowed origin Allow-Origin on the call itself, another none', async () => {
    const headers = { 'content-type': 'application/grpc-web', origin: 'https://app.example' };
    const ok = await call('/test.Echo/Echo', frame(Buffer.from('o')), headers);
    assert.equal(ok.headers.get('access-control-allow-origin'), 'https://app.example');
    assert.equal(ok.headers.get('access-control-allow-credentials'), 'true');
    const other = await call('/test.Echo/Echo', frame(Buffer.from('o')), {
      ...headers,
      origin: 'https://evil.example',
    });
    assert.equal(other.status, 200);
    assert.equal(other.headers.get('access-control-allow-origin'), null);
  });

  it('passes other requests untouched (a GET, plain gRPC)', async () => {
    const plain = await call('/test.Echo/Echo', frame(Buffer.from('p')), { 'content-type': 'text/plain' });
    assert.equal(plain.status, 415);
    assert.equal(seen.at(-1)?.['content-type'], 'text/plain');
    assert.equal((await send(`${gw.web}/x`)).status, 415);
  });

  it("takes '*' on reload", async () => {
    await gw.write('grpc-web.yml', config('["*"]'));
    await eventually(async () => {
      const reply = await call('/test.Echo/Echo', frame(Buffer.from('r')), {
        'content-type': 'application/grpc-web',
        origin: 'https://any.example',
      });
      return reply.headers.get('access-control-allow-origin') === 'https://any.example';
    });
  });
});
