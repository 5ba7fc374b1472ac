import assert from 'node:assert/strict';
import type { IncomingHttpHeaders } from 'node:http';
import { after, before, describe, it } from 'node:test';
import {
  closedPort,
  type Received,
  send,
  sendWithNodeClient,
  startGateway,
  startUpstream,
  type TestGateway,
  type Upstream,
} from '../testing/harness.ts';

describe('forwardAuth', () => {
  let auth: Upstream;
  let backend: Upstream;
  let gw: TestGateway;

  // The auth server decides from the Authorization header, like the stack's forward-auth.
  const authAnswer = (headers: IncomingHttpHeaders) => {
    switch (headers.authorization) {
      case 'Bearer good':
        return { status: 200, headers: { 'x-auth-user': 'alice', 'x-auth-role': 'admin', 'x-other': 'no' } };
      case 'Bearer anonymous':
        return { status: 204, headers: {} };
      case 'Bearer bad':
        return {
          status: 401,
          headers: { 'content-type': 'application/json', 'www-authenticate': 'Bearer' },
          body: '{"detail":"Invalid Token"}',
        };
      case 'Bearer login':
        return { status: 302, headers: { location: '/login?rd=1' } };
      // Answers of 32 and 33 bytes, for the auth-capped middleware (maxResponseBodySize: 32).
      case 'Bearer at-cap':
        return { status: 200, headers: { 'x-auth-user': 'alice' }, body: 'a'.repeat(32) };
      case 'Bearer over-cap':
        return { status: 200, headers: { 'x-auth-user': 'alice' }, body: 'a'.repeat(33) };
      case 'Bearer over-cap-denied':
        return { status: 403, headers: {}, body: 'd'.repeat(33) };
      default:
        return {
          status: 403,
          headers: { 'content-type': 'application/json', 'proxy-authenticate': 'test' },
          body: '{"detail":"Not authenticated"}',
        };
    }
  };

  before(async () => {
    auth = await startUpstream((req, res) => {
      if (req.headers.authorization === 'Bearer slow') return; // never answers
      if (req.headers.authorization === 'Bearer over-cap-chunked') {
        // No Content-Length: the cap can only be seen while reading.
        res.writeHead(200, { 'x-auth-user': 'alice' });
        for (let i = 0; i < 4; i++) res.write('c'.repeat(10));
        res.end();
        return;
      }
      const answer = authAnswer(req.headers);
      res.writeHead(answer.status, answer.headers);
      res.end(answer.body);
    });
    backend = await startUpstream();
    const down = await closedPort();
    const mw = (name: string, body: string) => `    ${name}:\n      forwardAuth:\n${body}`;
    const router = (name: string, path: string, middlewares: string) =>
      `    ${name}:\n      rule: PathPrefix(\`${path}\`)\n      middlewares: [${middlewares}]\n      service: backend\n`;
    gw = await startGateway({
      // Keep client-sent X-Forwarded-* at the entrypoint, so the middleware's own trust modes show.
      static: { entryPoints: { web: { forwardedHeaders: { insecure: true } } } },
      files: {
        'auth.yml': `http:
  middlewares:
${mw('auth', `        address: ${auth.url}/auth\n        trustForwardHeader: false\n        authResponseHeaders: [X-Auth-User]\n`)}
${mw('auth-regex', `        address: ${auth.url}/auth\n        trustForwardHeader: false\n        authResponseHeadersRegex: ^X-Auth-\n`)}
${mw('auth-trusted', `        address: ${auth.url}/auth\n        trustForwardHeader: true\n`)}
${mw('auth-legacy', `        address: ${auth.url}/auth\n`)}
${mw('auth-limited', `        address: ${auth.url}/auth\n        trustForwardHeader: false\n        authRequestHeaders: [Authorization]\n`)}
${mw('auth-down', `        address: http://127.0.0.1:${down}/auth\n        trustForwardHeader: false\n`)}
${mw('auth-body', `        address: ${auth.url}/auth\n        trustForwardHeader: false\n        forwardBody: true\n        maxBodySize: 16\n`)}
${mw('auth-capped', `        address: ${auth.url}/auth\n        trustForwardHeader: false\n        maxResponseBodySize: 32\n`)}
${mw('auth-slow', `        address: ${auth.url}/auth\n        trustForwardHeader: false\n        timeout: 200ms\n`)}
    strip:
      stripPrefix:
        prefixes: [/strip]
  routers:
${router('fa', '/fa', 'auth')}
${router('regex', '/regex', 'auth-regex')}
${router('trusted', '/trusted', 'auth-trusted')}
${router('legacy', '/legacy', 'auth-legacy')}
${router('limited', '/limited', 'auth-limited')}
${router('down', '/down', 'auth-down')}
${router('slow', '/slow', 'auth-slow')}
${router('body', '/body', 'auth-body')}
${router('capped', '/capped', 'auth-capped')}
${router('strip', '/strip', 'strip, auth')}
  services:
    backend:
      loadBalancer:
        servers: [{url: "${backend.url}"}]
`,
      },
    });
  });

  after(async () => {
    await gw.close();
    await auth.close();
    await backend.close();
  });

  /** Sends a request and returns what the auth server and the backend received for it. */
  const through = async (path: string, headers: Record<string, string>, method = 'GET') => {
    const authBefore = auth.received.length;
    const backendBefore = backend.received.length;
    const reply = await send(`${gw.web}${path}`, { method, headers });
    return {
      reply,
      auth: auth.received[authBefore] as Received,
      backend: backend.received.slice(backendBefore),
    };
  };

  it('on 2xx copies authResponseHeaders and removes a client-forged X-Auth-User', async () => {
    const { reply, backend: seen } = await through('/fa/x', {
      authorization: 'Bearer good',
      'x-auth-user': 'mallory',
      'x-auth-role': 'forged-but-not-managed',
    });
    assert.equal(reply.status, 200);
    assert.equal(seen.length, 1);
    assert.equal(seen[0]?.headers['x-auth-user'], 'alice');
    assert.equal(seen[0]?.rawHeaders.filter((h) => h.toLowerCase() === 'x-auth-user').length, 1);
    assert.equal(seen[0]?.headers['x-other'], undefined, 'only the listed headers are copied');
    assert.equal(seen[0]?.headers['x-auth-role'], 'forged-but-not-managed');
  });

  it('removes a forged identity even when the auth server sends none', async () => {
    const { reply, backend: seen } = await through('/fa/x', {
      authorization: 'Bearer anonymous',
      'x-auth-user': 'mallory',
    });
    assert.equal(reply.status, 200);
    assert.equal(seen[0]?.headers['x-auth-user'], undefined);
  });

  it('copies and cleans headers matching authResponseHeadersRegex', async () => {
    const { backend: seen } = await through('/regex', {
      authorization: 'Bearer good',
      'x-auth-tenant': 'forged',
    });
    assert.equal(seen[0]?.headers['x-auth-user'], 'alice');
    assert.equal(seen[0]?.headers['x-auth-role'], 'admin');
    assert.equal(seen[0]?.headers['x-auth-tenant'], undefined);
    assert.equal(seen[0]?.headers['x-other'], undefined);
  });

  it('passes 401 and 403 through with status, headers and body, and never calls the backend', async () => {
    const denied = await through('/fa/x', {});
    assert.equal(denied.reply.status, 403);
    assert.equal(denied.reply.body, '{"detail":"Not authenticated"}');
    assert.equal(denied.reply.headers['content-type'], 'application/json');
    assert.equal(denied.reply.headers['proxy-authenticate'], 'test');
    assert.equal(denied.backend.length, 0);

    const invalid = await through('/fa/x', { authorization: 'Bearer bad' });
    assert.equal(invalid.reply.status, 401);
    assert.equal(invalid.reply.body, '{"detail":"Invalid Token"}');
    assert.equal(invalid.reply.headers['www-authenticate'], 'Bearer');
    assert.equal(invalid.backend.length, 0);
  });

  it('does not follow redirects and makes Location absolute against the auth address', async () => {
    const { reply, backend: seen } = await through('/fa/x', { authorization: 'Bearer login' });
    assert.equal(reply.status, 302);
    assert.equal(reply.headers.location, `${auth.url}/login?rd=1`);
    assert.equal(seen.length, 0);
  });

  it('fails closed with 500 and an empty body when the auth server is down', async () => {
    const { reply, backend: seen } = await through('/down', { authorization: 'Bearer good' });
    assert.equal(reply.status, 500);
    assert.equal(reply.body, '');
    assert.equal(seen.length, 0);
    assert.ok(gw.logs.some((l) => l.middleware === 'auth-down@file' && l.level === 'error'));
  });

  it('fails closed with 500 when the auth server is slower than timeout', async () => {
    const before = backend.received.length;
    const reply = await send(`${gw.web}/slow`, { headers: { authorization: 'Bearer slow' } });
    assert.equal(reply.status, 500);
    assert.equal(reply.body, '');
    assert.equal(backend.received.length, before);
  });

  it('sends a GET to the address exactly, with X-Forwarded-Method/Proto/Host/Uri/For', async () => {
    const { auth: seen } = await through(
      '/fa/some/path?q=1',
      { authorization: 'Bearer good', host: 'shop.example:8000', 'content-type': 'application/json' },
      'POST',
    );
    assert.equal(seen.method, 'GET');
    assert.equal(seen.url, '/auth');
    assert.equal(seen.body, '');
    assert.equal(seen.headers['x-forwarded-method'], 'POST');
    assert.equal(seen.headers['x-forwarded-proto'], 'http');
    assert.equal(seen.headers['x-forwarded-host'], 'shop.example:8000');
    assert.equal(seen.headers['x-forwarded-uri'], '/fa/some/path?q=1');
    assert.equal(seen.headers['x-forwarded-for'], '127.0.0.1');
    assert.equal(seen.headers['x-forwarded-port'], '8000');
    assert.equal(seen.headers.authorization, 'Bearer good', 'request headers are copied');
    assert.equal(seen.headers['content-type'], 'application/json');
    assert.equal(seen.headers['content-length'], undefined, 'the auth request has no body');
  });

  it('sees the URI after earlier middlewares (stripPrefix) and the stripped prefix', async () => {
    const { auth: seen, backend: got } = await through('/strip/x?y=2', { authorization: 'Bearer good' });
    assert.equal(seen.headers['x-forwarded-uri'], '/x?y=2');
    assert.equal(seen.headers['x-forwarded-prefix'], undefined, 'trustForwardHeader false deletes X headers');
    assert.equal(got[0]?.url, '/x?y=2');
    assert.equal(got[0]?.headers['x-forwarded-prefix'], '/strip');
  });

  const forged = {
    authorization: 'Bearer good',
    'x-forwarded-host': 'evil.example',
    'x-forwarded-uri': '/evil',
    'x-forwarded-for': '6.6.6.6',
    'x-forwarded-prefix': '/pre',
    'x-forwarded-method': 'DELETE',
  };

  it('trustForwardHeader: false recomputes every X-Forwarded header', async () => {
    const { auth: seen } = await through('/fa/real', { ...forged, host: 'real.example' });
    assert.equal(seen.headers['x-forwarded-host'], 'real.example');
    assert.equal(seen.headers['x-forwarded-uri'], '/fa/real');
    assert.equal(seen.headers['x-forwarded-for'], '127.0.0.1');
    assert.equal(seen.headers['x-forwarded-method'], 'GET');
    assert.equal(seen.headers['x-forwarded-prefix'], undefined);
    assert.equal(seen.headers['x-forwarded-port'], '80');
  });

  it('trustForwardHeader: true keeps incoming values and appends the peer to X-Forwarded-For', async () => {
    const { auth: seen } = await through('/trusted', { ...forged, host: 'real.example' });
    assert.equal(seen.headers['x-forwarded-host'], 'evil.example');
    assert.equal(seen.headers['x-forwarded-uri'], '/evil');
    assert.equal(seen.headers['x-forwarded-for'], '6.6.6.6, 127.0.0.1');
    assert.equal(seen.headers['x-forwarded-method'], 'DELETE');
    assert.equal(seen.headers['x-forwarded-prefix'], '/pre');
  });

  it('trustForwardHeader unset (legacy) keeps other X headers but overwrites the computed ones', async () => {
    const { auth: seen } = await through('/legacy', { ...forged, host: 'real.example' });
    assert.equal(seen.headers['x-forwarded-host'], 'real.example');
    assert.equal(seen.headers['x-forwarded-uri'], '/legacy');
    assert.equal(seen.headers['x-forwarded-for'], '127.0.0.1');
    assert.equal(seen.headers['x-forwarded-method'], 'GET');
    assert.equal(seen.headers['x-forwarded-prefix'], '/pre');
  });

  it('forwardBody: the auth server gets the body and the backend still does; too large → 401', async () => {
    const authBefore = auth.received.length;
    const backendBefore = backend.received.length;
    const ok = await send(`${gw.web}/body`, {
      method: 'POST',
      headers: { authorization: 'Bearer good', 'content-type': 'text/plain' },
      body: 'small body',
    });
    assert.equal(ok.status, 200);
    assert.equal(auth.received[authBefore]?.body, 'small body');
    assert.equal(auth.received[authBefore]?.method, 'GET');
    assert.equal(backend.received[backendBefore]?.body, 'small body');

    const tooLarge = await send(`${gw.web}/body`, {
      method: 'POST',
      headers: { authorization: 'Bearer good' },
      body: 'x'.repeat(17),
    });
    assert.equal(tooLarge.status, 401);
    assert.equal(tooLarge.body, '');
    assert.equal(backend.received.length, backendBefore + 1);
  });

  it('maxResponseBodySize: an auth answer over it gives 401 and never reaches the backend, whatever its status', async () => {
    const backendBefore = backend.received.length;
    const atCap = await send(`${gw.web}/capped`, { headers: { authorization: 'Bearer at-cap' } });
    assert.equal(atCap.status, 200);
    assert.equal(backend.received.length, backendBefore + 1);
    for (const token of ['over-cap', 'over-cap-chunked', 'over-cap-denied']) {
      const reply = await send(`${gw.web}/capped`, { headers: { authorization: `Bearer ${token}` } });
      assert.equal(reply.status, 401, token);
      assert.equal(reply.body, '', token);
    }
    assert.equal(backend.received.length, backendBefore + 1, 'the backend was not called again');
    // The same auth server without a cap lets the long answer through.
    assert.equal((await send(`${gw.web}/fa`, { headers: { authorization: 'Bearer over-cap' } })).status, 200);
  });

  it('sends only authRequestHeaders (plus its X-Forwarded headers) when set', async () => {
    const { auth: seen } = await through('/limited', {
      authorization: 'Bearer good',
      cookie: 'a=1',
      'x-custom': '1',
    });
    assert.equal(seen.headers.authorization, 'Bearer good');
    assert.equal(seen.headers.cookie, undefined);
    assert.equal(seen.headers['x-custom'], undefined);
    assert.equal(seen.headers['x-forwarded-uri'], '/limited');
  });

  it('drops hop-by-hop headers, including those named in Connection, from the auth request', async () => {
    const before = auth.received.length;
    const reply = await sendWithNodeClient(`${gw.web}/fa/x`, {
      authorization: 'Bearer good',
      connection: 'close, x-hop',
      'x-hop': '1',
      te: 'trailers',
    });
    assert.equal(reply.status, 200);
    const seen = auth.received[before] as Received;
    assert.equal(seen.headers['x-hop'], undefined);
    assert.equal(seen.headers.te, undefined);
  });
});
