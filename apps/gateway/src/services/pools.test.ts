/**
 * PoolRegistry against real servers: pools shared by settings, HTTP/2 through ALPN with upgrade requests kept on
 * HTTP/1.1, idle connections closed after idleConnTimeout, pools closed when unused.
 */

import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:http';
import { createSecureServer } from 'node:http2';
import type { Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { upstreamTls } from '../http/upstream-tls.ts';
import { eventually } from '../testing/harness.ts';
import { createTestCa } from '../testing/test-pki.ts';
import { PoolRegistry } from './pools.ts';

const base = { dialTimeout: 1000, responseHeaderTimeout: 0, idleConnTimeout: 90_000 };

describe('PoolRegistry', { timeout: 20_000 }, () => {
  const pools = new PoolRegistry();
  const secure = createSecureServer({ allowHTTP1: true }, (req, res) => res.end(`plain ${req.httpVersion}`));
  const plain = createServer((_req, res) => res.end('ok'));
  const open = new Set<Socket>();
  let secureOrigin: string;
  let plainOrigin: string;
  let tls: ReturnType<typeof upstreamTls>;

  before(async () => {
    const ca = await createTestCa('pools test CA');
    const pair = await ca.server({ ips: ['127.0.0.1'] });
    secure.setSecureContext(pair);
    secure.on('upgrade', (_req, socket: Socket) => {
      socket.end('HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: demo\r\n\r\nhello');
    });
    plain.on('connection', (socket: Socket) => {
      open.add(socket);
      socket.on('close', () => open.delete(socket));
    });
    for (const server of [secure, plain]) {
      server.listen(0, '127.0.0.1');
      await once(server, 'listening');
    }
    secureOrigin = `https://127.0.0.1:${(secure.address() as { port: number }).port}`;
    plainOrigin = `http://127.0.0.1:${(plain.address() as { port: number }).port}`;
    tls = upstreamTls({ rootCAs: [ca.cert] }, 'test');
  });

  after(async () => {
    await pools.close();
    plain.closeAllConnections();
    plain.close();
    secure.close();
  });

  it('shares a pool between equal settings and keys different TLS apart', () => {
    const first = pools.lease(secureOrigin, { ...base, tls });
    assert.equal(pools.lease(secureOrigin, { ...base, tls }).pool, first.pool);
    assert.notEqual(pools.lease(secureOrigin, { ...base, tls, disableHTTP2: true }).key, first.key);
    assert.notEqual(pools.lease(secureOrigin, { ...base }).key, first.key);
  });

  it('speaks HTTP/2 when offered, and sends an upgrade request over HTTP/1.1', async () => {
    const { pool } = pools.lease(secureOrigin, { ...base, tls });
    const reply = await pool.request({ path: '/', method: 'GET' });
    assert.equal(await reply.body.text(), 'plain 2.0');
    const upgraded = await pool.upgrade({ path: '/', method: 'GET', protocol: 'demo' });
    assert.equal(upgraded.headers.upgrade, 'demo');
    upgraded.socket.destroy();
  });

  it('closes idle connections after idleConnTimeout', async () => {
    const { pool } = pools.lease(plainOrigin, { ...base, idleConnTimeout: 300 });
    await (await pool.request({ path: '/', method: 'GET' })).body.text();
    assert.equal(open.size, 1);
    await eventually(() => open.size === 0);
  });

  it('closes the pools no runtime uses, and their connections', async () => {
    const kept = pools.lease(plainOrigin, base);
    await (await kept.pool.request({ path: '/', method: 'GET' })).body.text();
    assert.equal(open.size, 1);
    await pools.closeUnused(new Set());
    assert.equal(pools.size, 0);
    await eventually(() => open.size === 0);
  });
});
