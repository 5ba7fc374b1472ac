import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { connect } from 'node:tls';
import { startGateway, type TestGateway } from '../testing/harness.ts';

// Connections reach the TLS server of their options from the entrypoint's TCP server, so the HTTP/1 timeouts
// must hold there as on a server that listens itself.
describe('HTTPS entrypoint, HTTP/1.1 over TLS', () => {
  let gw: TestGateway;
  let port: number;

  before(async () => {
    gw = await startGateway({
      files: {},
      static: {
        entryPoints: {
          websecure: {
            address: '127.0.0.1:0',
            http: { tls: {} },
            transport: { respondingTimeouts: { readTimeout: '1s' } },
          },
        },
      },
    });
    port = Number(new URL(gw.gateway.url('websecure')).port);
  });
  after(() => gw.close());

  it('answers 408 and closes a client trickling its headers past readTimeout', async () => {
    const socket = connect({
      port,
      host: '127.0.0.1',
      servername: 'localhost',
      rejectUnauthorized: false,
      ALPNProtocols: ['http/1.1'],
    });
    await new Promise((resolve) => socket.once('secureConnect', resolve));
    socket.write('GET / HTTP/1.1\r\nHost: localhost\r\n');
    const trickle = setInterval(() => socket.write('X'), 100);
    const started = performance.now();
    let text = '';
    socket.on('data', (chunk: Buffer) => {
      text += chunk.toString('latin1');
    });
    const closed = await Promise.race([
      new Promise<boolean>((resolve) => socket.once('close', () => resolve(true))),
      new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 5_000)),
    ]);
    clearInterval(trickle);
    socket.destroy();
    assert.ok(closed, 'the connection is still open after 5 s');
    assert.ok(performance.now() - started < 4_000);
    assert.match(text, /^HTTP\/1\.1 408 /);
  });
});
