/**
 * contentType through a real gateway, with Traefik's content_type_test.go cases as facts: the backend's
 * Content-Type is kept; none is added by default (Traefik v3) or with `autoDetect: false`; with the middleware
 * one is detected when the backend sent none. Also Go's rules for when not to detect, and a reload.
 */

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  eventually,
  send,
  startGateway,
  startUpstream,
  type TestGateway,
  type Upstream,
} from '../testing/harness.ts';

describe('contentType', () => {
  let backend: Upstream;
  let gw: TestGateway;

  const png = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');

  const config = (detecting: string) => `
http:
  middlewares:
    detect:
      contentType: {}
    legacy-on:
      contentType: { autoDetect: true }
    legacy-off:
      contentType: { autoDetect: false }
  routers:
    none:
      rule: PathPrefix(\`/none\`)
      service: backend
    detect:
      rule: PathPrefix(\`/detect\`)
      middlewares: [${detecting}]
      service: backend
    on:
      rule: PathPrefix(\`/on\`)
      middlewares: [legacy-on]
      service: backend
    off:
      rule: PathPrefix(\`/off\`)
      middlewares: [legacy-off]
      service: backend
  services:
    backend:
      loadBalancer:
        servers: [{ url: "${backend.url}" }]
`;

  before(async () => {
    // The backend answers as the query says, never adding a Content-Type of its own.
    backend = await startUpstream((req, res) => {
      const query = new URL(req.url ?? '/', 'http://x').searchParams;
      const headers: Record<string, string> = {};
      if (query.has('type')) headers['content-type'] = query.get('type') ?? '';
      if (query.has('encoding')) headers['content-encoding'] = query.get('encoding') ?? '';
      res.writeHead(Number(query.get('status') ?? 200), headers);
      const body = query.get('body');
      if (body === 'png') res.end(png);
      else if (body === 'empty') res.end();
      else if (body === 'chunks') {
        res.write('<html><body>');
        setTimeout(() => res.end('hello</body></html>'), 20);
      } else res.end(body ?? 'Test');
    });
    gw = await startGateway({ files: { 'content-type.yml': config('detect') } });
  });

  after(async () => {
    await gw?.close();
    await backend?.close();
  });

  const typeOf = async (path: string, method = 'GET') =>
    (await send(`${gw.web}${path}`, { method })).headers['content-type'];

  it("keeps the backend's Content-Type, with or without the middleware", async () => {
    for (const prefix of ['/none', '/detect', '/on', '/off']) {
      assert.equal(await typeOf(`${prefix}?type=application/json`), 'application/json', prefix);
    }
  });

  it('adds none by default, nor with autoDetect: false', async () => {
    assert.equal(await typeOf('/none'), undefined);
    assert.equal(await typeOf('/off'), undefined);
  });

  it('detects one when the backend sent none (`{}` and the deprecated autoDetect: true)', async () => {
    assert.equal(await typeOf('/detect'), 'text/plain; charset=utf-8');
    assert.equal(await typeOf('/on'), 'text/plain; charset=utf-8');
    assert.equal(await typeOf('/detect?body=png'), 'image/png');
    const reply = await send(`${gw.web}/detect?body=chunks`);
    assert.equal(reply.headers['content-type'], 'text/html; charset=utf-8');
    assert.equal(reply.body, '<html><body>hello</body></html>');
  });

  it('detects nothing for an empty body, a HEAD, a 204 or 304, or an encoded body', async () => {
    assert.equal(await typeOf('/detect?body=empty'), undefined);
    assert.equal(await typeOf('/detect', 'HEAD'), undefined);
    assert.equal(await typeOf('/detect?status=204'), undefined);
    assert.equal(await typeOf('/detect?status=304'), undefined);
    assert.equal(await typeOf('/detect?encoding=identity&body=png'), undefined);
  });

  it('warns that autoDetect is deprecated', () => {
    const warned = gw.logs.filter((line) => JSON.stringify(line).includes('autoDetect: deprecated'));
    assert.ok(warned.length > 0, JSON.stringify(gw.logs.filter((line) => line.level === 'warn')));
  });

  it('applies a reload that takes the middleware away', async () => {
    await gw.write('content-type.yml', config('legacy-off'));
    await eventually(async () => (await typeOf('/detect')) === undefined);
  });
});
