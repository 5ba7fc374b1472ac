import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { send, startGateway, startUpstream, type TestGateway, type Upstream } from '../testing/harness.ts';
import { tokenAuth } from './fixtures.ts';
import { exchangeRaw } from './raw-client.ts';

// Hostile requests through the gateway, sent byte for byte on raw sockets (URL clients would clean them):
// path tricks, request smuggling, oversized heads. Whatever comes in, the answer is a 4xx or correct routing,
// never a 500, and never a request at a protected backend without its router's forwardAuth.

interface Case {
  readonly name: string;
  readonly request: string;
  /** Acceptable statuses of the (first) answer. */
  readonly status: readonly number[];
  /** The path the public backend must get, when the request is meant to reach it. */
  readonly publicPath?: string;
}

const host = 'Host: localhost\r\n';
// The path tricks need no second request on the connection.
const once = 'Host: localhost\r\nConnection: close\r\n';

const pathTricks: Case[] = [
  // Dot segments are removed before routing (sanitizePath): these are requests for /rbackend and /pybackend.
  {
    name: '/pybackend/../rbackend',
    request: `GET /pybackend/../rbackend HTTP/1.1\r\n${once}\r\n`,
    status: [401],
  },
  {
    name: '/public/../pybackend',
    request: `GET /public/../pybackend HTTP/1.1\r\n${once}\r\n`,
    status: [401],
  },
  {
    name: '/public/%2e%2e/pybackend',
    request: `GET /public/%2e%2e/pybackend HTTP/1.1\r\n${once}\r\n`,
    status: [401],
  },
  {
    name: '/public/%2E./pybackend',
    request: `GET /public/%2E./pybackend HTTP/1.1\r\n${once}\r\n`,
    status: [401],
  },
  {
    name: '/public/./../pybackend/',
    request: `GET /public/./../pybackend/ HTTP/1.1\r\n${once}\r\n`,
    status: [401],
  },
  { name: '//pybackend', request: `GET //pybackend HTTP/1.1\r\n${once}\r\n`, status: [401, 404] },
  {
    name: '/%70ybackend (encoded p)',
    request: `GET /%70ybackend HTTP/1.1\r\n${once}\r\n`,
    status: [401, 404],
  },
  // Encoded separators and NUL are refused (http.encodedCharacters defaults).
  {
    name: '/public%2F..%2Fpybackend',
    request: `GET /public%2F..%2Fpybackend HTTP/1.1\r\n${once}\r\n`,
    status: [400],
  },
  {
    name: '/public%5c..%5cpybackend',
    request: `GET /public%5c..%5cpybackend HTTP/1.1\r\n${once}\r\n`,
    status: [400],
  },
  { name: '/public%00', request: `GET /public%00/x HTTP/1.1\r\n${once}\r\n`, status: [400] },
  {
    name: '/public%25252e',
    request: `GET /public/%252e%252e/pybackend HTTP/1.1\r\n${once}\r\n`,
    status: [400],
  },
  // An absolute-form target routes by its own path, cleaned the same way.
  {
    name: 'absolute form with dot segments',
    request: `GET http://evil.example/public/../pybackend HTTP/1.1\r\n${once}\r\n`,
    status: [401],
  },
  // A backslash is an ordinary character in a URL path: routed as written, to the public route.
  {
    name: 'backslashes',
    request: `GET /public\\..\\pybackend HTTP/1.1\r\n${once}\r\n`,
    status: [200, 400],
    publicPath: '/public\\..\\pybackend',
  },
  {
    name: 'fragment',
    request: `GET /public#/../pybackend HTTP/1.1\r\n${once}\r\n`,
    status: [200, 400],
    publicPath: '/public',
  },
  { name: 'no leading slash', request: `GET pybackend HTTP/1.1\r\n${once}\r\n`, status: [400] },
  {
    name: 'overlong path (100 kB)',
    request: `GET /public/${'a'.repeat(100_000)} HTTP/1.1\r\n${once}\r\n`,
    status: [414, 431],
  },
];

// Each ends with a request for /pybackend that would reach the backend without auth if it were smuggled in.
const smuggled = `GET /pybackend/ HTTP/1.1\r\n${host}\r\n`;
const smuggling: Case[] = [
  {
    name: 'Content-Length and Transfer-Encoding (CL.TE)',
    request: `POST /public HTTP/1.1\r\n${host}Content-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n${smuggled}`,
    status: [400],
  },
  {
    name: 'Transfer-Encoding and Content-Length (TE.CL)',
    request: `POST /public HTTP/1.1\r\n${host}Transfer-Encoding: chunked\r\nContent-Length: 40\r\n\r\n0\r\n\r\n${smuggled}`,
    status: [400],
  },
  {
    name: 'two different Content-Length',
    request: `POST /public HTTP/1.1\r\n${host}Content-Length: 5\r\nContent-Length: 45\r\n\r\nhello${smuggled}`,
    status: [400],
  },
  {
    name: 'two equal Content-Length',
    request: `POST /public HTTP/1.1\r\n${host}Content-Length: 5\r\nContent-Length: 5\r\n\r\nhello`,
    status: [400],
  },
  {
    name: 'Content-Length list',
    request: `POST /public HTTP/1.1\r\n${host}Content-Length: 5, 5\r\n\r\nhello`,
    status: [400],
  },
  {
    name: 'obs-fold continuation line',
    request: `GET /public HTTP/1.1\r\n${host}X-Foo: a\r\n b\r\n\r\n`,
    status: [400],
  },
  {
    name: 'obs-fold hiding chunked',
    request: `POST /public HTTP/1.1\r\n${host}Transfer-Encoding: identity,\r\n chunked\r\n\r\n0\r\n\r\n${smuggled}`,
    status: [400],
  },
  {
    name: 'chunk size not hex',
    request: `POST /public HTTP/1.1\r\n${host}Transfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n${smuggled}`,
    status: [400],
  },
  {
    name: 'negative chunk size',
    request: `POST /public HTTP/1.1\r\n${host}Transfer-Encoding: chunked\r\n\r\n-5\r\nhello\r\n0\r\n\r\n${smuggled}`,
    status: [400],
  },
  {
    name: 'chunk size overflowing 64 bits',
    request: `POST /public HTTP/1.1\r\n${host}Transfer-Encoding: chunked\r\n\r\n1FFFFFFFFFFFFFFFF\r\nhello\r\n0\r\n\r\n${smuggled}`,
    status: [400],
  },
  {
    name: 'Transfer-Encoding not ending in chunked',
    request: `POST /public HTTP/1.1\r\n${host}Transfer-Encoding: xchunked\r\n\r\n0\r\n\r\n${smuggled}`,
    status: [400],
  },
  {
    name: 'space before the colon',
    request: `POST /public HTTP/1.1\r\n${host}Transfer-Encoding : chunked\r\n\r\n0\r\n\r\n${smuggled}`,
    status: [400],
  },
  {
    name: 'two Transfer-Encoding lines',
    request: `POST /public HTTP/1.1\r\n${host}Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n${smuggled}`,
    status: [400],
  },
  { name: 'bare LF line ends', request: 'GET /public HTTP/1.1\nHost: localhost\n\n', status: [400] },
  { name: 'bare CR line ends', request: 'GET /public HTTP/1.1\rHost: localhost\r\r\n', status: [400] },
  {
    name: 'NUL in a header value',
    request: `GET /public HTTP/1.1\r\n${host}X-A: a\0b\r\n\r\n`,
    status: [400],
  },
  {
    name: 'space in a header name',
    request: `GET /public HTTP/1.1\r\n${host}X Auth User: bob\r\n\r\n`,
    status: [400],
  },
  // Go's server, and so Traefik, refuses these (RFC 9112 §3.2): routing must not depend on which Host is read.
  {
    name: 'two Host headers',
    request: 'GET /public HTTP/1.1\r\nHost: localhost\r\nHost: evil.example\r\n\r\n',
    status: [400],
  },
  {
    name: 'Host with a slash',
    request: 'GET /public HTTP/1.1\r\nHost: evil.example/x\r\n\r\n',
    status: [400],
  },
  {
    name: 'Host with userinfo',
    request: 'GET /public HTTP/1.1\r\nHost: user@evil.example\r\n\r\n',
    status: [400],
  },
  { name: 'no Host', request: 'GET /public HTTP/1.1\r\n\r\n', status: [400] },
];

describe('hostile input through the gateway', () => {
  let gw: TestGateway;
  let port: number;
  let auth: Upstream;
  let py: Upstream;
  let r: Upstream;
  let pub: Upstream;
  let limited: Upstream;

  before(async () => {
    auth = await startUpstream(tokenAuth);
    py = await startUpstream();
    r = await startUpstream();
    pub = await startUpstream();
    // A backend with a 1 MiB body limit, answering before it reads the body (as fastify does).
    limited = await startUpstream(
      (req, res) => {
        if (Number(req.headers['content-length']) > 1024 * 1024) {
          res.writeHead(413, { 'content-type': 'application/json' });
          res.end('{"detail":"Request body is too large"}');
        } else {
          req.resume();
          req.on('end', () => res.end('ok'));
        }
      },
      { readBody: false },
    );
    gw = await startGateway({
      files: {
        'hostile.yml': `http:
  routers:
    py:
      rule: PathPrefix(\`/pybackend\`)
      service: py
      middlewares: [auth, strip]
    r:
      rule: PathPrefix(\`/rbackend\`)
      service: r
      middlewares: [auth, strip]
    public:
      rule: PathPrefix(\`/public\`)
      service: public
    limited:
      rule: PathPrefix(\`/limited\`)
      service: limited
  middlewares:
    auth:
      forwardAuth:
        address: ${auth.url}/auth
        authResponseHeaders: [X-Auth-User]
    strip:
      stripPrefix:
        prefixes: [/pybackend, /rbackend]
  services:
    py:
      loadBalancer:
        servers:
          - url: ${py.url}
    r:
      loadBalancer:
        servers:
          - url: ${r.url}
    public:
      loadBalancer:
        servers:
          - url: ${pub.url}
    limited:
      loadBalancer:
        servers:
          - url: ${limited.url}
`,
      },
    });
    port = Number(new URL(gw.web).port);
  });
  after(async () => {
    await gw.close();
    await Promise.all([auth, py, r, pub, limited].map((upstream) => upstream.close()));
  });

  /** Every request a protected backend got carries the identity forwardAuth vouched for. */
  function assertNoBypass(): void {
    for (const received of [...py.received, ...r.received]) {
      assert.equal(
        received.headers['x-auth-user'],
        'alice',
        `${received.url} reached a backend without auth`,
      );
    }
  }

  async function check(c: Case): Promise<void> {
    const publicBefore = pub.received.length;
    const reply = await exchangeRaw(port, c.request, 500);
    const statuses = [...reply.text.matchAll(/^HTTP\/1\.[01] (\d{3})/gm)].map((m) => Number(m[1]));
    assert.ok(statuses.length >= 1, `${c.name}: no answer (${reply.error ?? 'closed'})`);
    assert.ok(
      c.status.includes(statuses[0] as number),
      `${c.name}: ${statuses[0]}, expected ${c.status.join(' or ')}`,
    );
    // Never a second answer: nothing was smuggled in after a refused request.
    assert.equal(statuses.length, 1, `${c.name}: ${statuses.join(', ')}`);
    const reachedPublic = pub.received.slice(publicBefore);
    if (c.publicPath !== undefined && statuses[0] === 200) {
      assert.deepEqual(
        reachedPublic.map((x) => x.url),
        [c.publicPath],
      );
    } else {
      assert.deepEqual(
        reachedPublic.map((x) => x.url),
        [],
        `${c.name} reached the public backend`,
      );
    }
    assertNoBypass();
  }

  for (const c of pathTricks) it(`path trick: ${c.name}`, () => check(c));
  for (const c of smuggling) it(`smuggling and malformed heads: ${c.name}`, () => check(c));

  it('none of the tricks reached a protected backend, and the auth server saw no valid token', () => {
    assert.equal(py.received.length, 0);
    assert.equal(r.received.length, 0);
  });

  it('with a valid token, /pybackend/../rbackend is the rbackend route with its own auth', async () => {
    const reply = await exchangeRaw(
      port,
      `GET /pybackend/../rbackend/admission HTTP/1.1\r\n${host}Authorization: Bearer foobar\r\nX-Auth-User: admin\r\nConnection: close\r\n\r\n`,
      500,
    );
    assert.match(reply.text, /^HTTP\/1\.1 200/);
    assert.equal(py.received.length, 0);
    assert.deepEqual(
      r.received.map((x) => [x.url, x.headers['x-auth-user']]),
      [['/admission', 'alice']],
    );
    assertNoBypass();
  });

  it('a header section over the limit: 431', async () => {
    const reply = await exchangeRaw(
      port,
      `GET /public HTTP/1.1\r\n${host}X-Big: ${'a'.repeat(70_000)}\r\n\r\n`,
      500,
    );
    assert.match(reply.text, /^HTTP\/1\.1 431/);
    const many = Array.from({ length: 3000 }, (_, i) => `X-H${i}: ${'b'.repeat(20)}\r\n`).join('');
    const manyReply = await exchangeRaw(port, `GET /public HTTP/1.1\r\n${host}${many}\r\n`, 500);
    assert.match(manyReply.text, /^HTTP\/1\.1 431/);
  });

  it("a body over a backend's limit: the backend's 413 reaches the client", async () => {
    const reply = await send(`${gw.web}/limited`, { method: 'POST', body: 'x'.repeat(2 * 1024 * 1024) });
    assert.equal(reply.status, 413);
    assert.equal(reply.json().detail, 'Request body is too large');
  });
});
