import assert from 'node:assert/strict';
import {
  type ClientHttp2Session,
  connect as connectHttp2,
  constants,
  type IncomingHttpHeaders,
} from 'node:http2';
import { after, before, describe, it } from 'node:test';
import {
  eventually,
  sendHttps,
  startGateway,
  startUpstream,
  type TestGateway,
  type Upstream,
} from '../testing/harness.ts';

/** A reply over HTTP/2 or HTTP/1.1, with its headers and body. */
interface Reply {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** One HTTP/2 request on `session`. */
function h2(
  session: ClientHttp2Session,
  path: string,
  headers: Record<string, string | string[]> = {},
  body?: string,
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const stream = session.request({
      ':path': path,
      ':method': body === undefined ? 'GET' : 'POST',
      ...headers,
    });
    let status = 0;
    let responseHeaders: IncomingHttpHeaders = {};
    let text = '';
    stream.setEncoding('utf8');
    stream.on('response', (h) => {
      status = Number(h[':status']);
      responseHeaders = h;
    });
    stream.on('data', (chunk: string) => {
      text += chunk;
    });
    stream.on('end', () => resolve({ status, headers: responseHeaders, body: text }));
    stream.on('error', reject);
    stream.end(body);
  });
}

/** One HTTP/1.1 request (ALPN http/1.1) on a new connection. */
function h1(
  url: string,
  path: string,
  headers: Record<string, string> = {},
): Promise<Reply & { alpn: string }> {
  return sendHttps(Number(new URL(url).port), path, { headers, ALPNProtocols: ['http/1.1'] });
}

describe('HTTP/2 on TLS entrypoints', () => {
  let app: Upstream;
  let auth: Upstream;
  let gw: TestGateway;
  let secure: string;
  let session: ClientHttp2Session;
  let hangClosed = false;

  before(async () => {
    app = await startUpstream((req, res, body) => {
      // Never answered: the client cancels it, and the gateway its upstream request.
      if (req.url === '/hang') {
        res.once('close', () => {
          hangClosed = true;
        });
        return;
      }
      res.writeHead(200, {
        'content-type': 'application/json',
        connection: 'keep-alive',
        'keep-alive': 'timeout=5',
        'x-app': 'yes',
      });
      res.end(
        JSON.stringify({ url: req.url, host: req.headers.host, user: req.headers['x-auth-user'], body }),
      );
    });
    auth = await startUpstream((req, res) => {
      if (req.headers.authorization === 'Bearer good') {
        res.writeHead(200, { 'x-auth-user': 'alice' });
        res.end();
      } else {
        res.writeHead(401, { 'content-type': 'application/json', 'www-authenticate': 'Bearer' });
        res.end('{"detail":"Not authenticated"}');
      }
    });
    gw = await startGateway({
      static: {
        metrics: { prometheus: { addRoutersLabels: true } },
        entryPoints: {
          websecure: {
            address: '127.0.0.1:0',
            http: { tls: {} },
            http2: { maxConcurrentStreams: 42 },
            transport: { lifeCycle: { graceTimeOut: '1s' } },
          },
        },
      },
      files: {
        'h2.yml': `
http:
  routers:
    api:
      rule: PathPrefix(\`/api\`)
      entryPoints: [websecure]
      middlewares: [auth]
      service: app
      tls: {}
    open:
      rule: Host(\`open.test\`)
      entryPoints: [websecure]
      service: app
  middlewares:
    auth:
      forwardAuth:
        address: ${auth.url}/verify
        authResponseHeaders: [X-Auth-User]
  services:
    app:
      loadBalancer:
        servers:
          - url: ${app.url}
`,
      },
    });
    secure = gw.gateway.url('websecure');
    session = connectHttp2(secure, { rejectUnauthorized: false });
    await new Promise((resolve, reject) => {
      session.once('remoteSettings', resolve);
      session.once('error', reject);
    });
  });

  after(async () => {
    session.close();
    await gw.close();
    await app.close();
    await auth.close();
  });

  it('negotiates h2 and announces maxConcurrentStreams', () => {
    assert.equal(session.alpnProtocol, 'h2');
    assert.equal(session.remoteSettings.maxConcurrentStreams, 42);
  });

  it('routes by :authority as the Host and proxies without connection-specific headers', async () => {
    const reply = await h2(session, '/any?x=1', { ':authority': 'open.test' });
    assert.equal(reply.status, 200);
    assert.deepEqual(JSON.parse(reply.body), { url: '/any?x=1', host: 'open.test', body: '' });
    assert.equal(reply.headers['x-app'], 'yes');
    assert.equal(reply.headers.connection, undefined);
    assert.equal(reply.headers['keep-alive'], undefined);
    const received = app.received.at(-1);
    assert.equal(received?.headers['x-forwarded-proto'], 'https');
    assert.equal(
      received?.rawHeaders.some((name) => name.startsWith(':')),
      false,
    );
  });

  it('passes request bodies and joins split cookies as Go does', async () => {
    const reply = await h2(
      session,
      '/post',
      { ':authority': 'open.test', cookie: ['a=1', 'b=2'] },
      'hello h2',
    );
    assert.equal(JSON.parse(reply.body).body, 'hello h2');
    assert.equal(app.received.at(-1)?.headers.cookie, 'a=1; b=2');
  });

  it('applies forwardAuth the same over HTTP/2 and HTTP/1.1 on the same port', async () => {
    const denied2 = await h2(session, '/api/me');
    assert.equal(denied2.status, 401);
    assert.equal(denied2.headers['www-authenticate'], 'Bearer');
    assert.equal(denied2.body, '{"detail":"Not authenticated"}');
    const denied1 = await h1(secure, '/api/me');
    assert.equal(denied1.alpn, 'http/1.1');
    assert.equal(denied1.status, 401);
    assert.equal(denied1.body, denied2.body);

    const allowed2 = await h2(session, '/api/me', { authorization: 'Bearer good', 'x-auth-user': 'mallory' });
    const allowed1 = await h1(secure, '/api/me', { authorization: 'Bearer good', 'x-auth-user': 'mallory' });
    assert.equal(allowed2.status, 200);
    assert.deepEqual(JSON.parse(allowed2.body), JSON.parse(allowed1.body));
    assert.equal(JSON.parse(allowed2.body).user, 'alice');
  });

  it('serves concurrent streams on one connection', async () => {
    const replies = await Promise.all(
      Array.from({ length: 20 }, (_, i) => h2(session, `/n/${i}`, { ':authority': 'open.test' })),
    );
    assert.deepEqual(
      replies.map((r) => JSON.parse(r.body).url),
      Array.from({ length: 20 }, (_, i) => `/n/${i}`),
    );
  });

  it('cancels the upstream request when the client resets its stream', async () => {
    const stream = session.request({ ':path': '/hang', ':authority': 'open.test' });
    stream.on('error', () => {});
    stream.end();
    await eventually(() => app.received.some((r) => r.url === '/hang'));
    stream.close(constants.NGHTTP2_CANCEL);
    await eventually(() => hangClosed);
    const next = await h2(session, '/after', { ':authority': 'open.test' });
    assert.equal(next.status, 200, 'the connection serves other streams');
  });

  it('counts HTTP/2 requests in the entrypoint and router metrics, a cancelled one as 499', async () => {
    const lines = (await (await fetch(`${gw.admin}/metrics`)).text()).split('\n');
    const has = (...parts: string[]) => lines.some((line) => parts.every((part) => line.includes(part)));
    assert.ok(has('traefik_entrypoint_requests_total{', 'code="200"', 'entrypoint="websecure"'));
    assert.ok(has('traefik_entrypoint_requests_total{', 'code="499"', 'entrypoint="websecure"'));
    assert.ok(has('traefik_router_requests_total{', 'code="401"', 'router="api@file"'));
  });

  it('logs HTTP/2 requests with their protocol and TLS facts', async () => {
    await h2(session, '/logged', { ':authority': 'open.test' });
    const line = gw.access.find((entry) => entry.RequestPath === '/logged');
    assert.equal(line?.RequestProtocol, 'HTTP/2.0');
    assert.equal(line?.RequestHost, 'open.test');
    assert.equal(line?.DownstreamStatus, 200);
    assert.equal(line?.TLSVersion, '1.3');
  });
});

describe('HTTP/2 connections when the gateway stops', () => {
  it('sends GOAWAY to open HTTP/2 connections and stops without waiting for the grace period', async () => {
    const app = await startUpstream((_req, res) => res.end('ok'));
    const gw = await startGateway({
      static: {
        entryPoints: {
          websecure: {
            address: '127.0.0.1:0',
            http: { tls: {} },
            transport: { lifeCycle: { graceTimeOut: '5s' } },
          },
        },
      },
      files: {
        'h2.yml': `http:\n  routers:\n    r:\n      rule: PathPrefix(\`/\`)\n      service: s\n      tls: {}\n  services:\n    s:\n      loadBalancer:\n        servers:\n          - url: ${app.url}\n`,
      },
    });
    const session = connectHttp2(gw.gateway.url('websecure'), { rejectUnauthorized: false });
    session.on('error', () => {});
    const goaway = new Promise((resolve) => session.once('goaway', resolve));
    assert.equal((await h2(session, '/')).body, 'ok');
    const started = performance.now();
    await gw.close();
    assert.ok(performance.now() - started < 2_000, 'an idle HTTP/2 connection does not hold the shutdown');
    await goaway;
    session.destroy();
    await app.close();
  });
});
