import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { openSocket, readRest, sendThenRead } from '../reliability/raw-client.ts';
import { EntryPointServer } from './server.ts';

// The drain after an early answer is bounded: a client cannot make the gateway read forever.

describe('lingering close bounds', () => {
  let server: EntryPointServer;
  let port: number;

  before(async () => {
    server = new EntryPointServer({
      name: 'web',
      address: { host: '127.0.0.1', port: 0 },
      graceTimeOut: 1000,
      readTimeout: 0,
      idleTimeout: 5000,
      linger: { maxBytes: 1024 * 1024, timeMs: 1500, idleMs: 300 },
      prepare: () => {},
      // Answers at once, body unread.
      dispatch: (exchange) => exchange.sendText(413, 'too large\n'),
    });
    port = (await server.listen()).port;
  });
  after(() => server.close());

  it('drains a body within the byte bound and keeps the connection', async () => {
    const socket = await openSocket(port);
    const body = Buffer.alloc(512 * 1024, 0x61);
    socket.write(`POST / HTTP/1.1\r\nHost: x\r\nContent-Length: ${body.length}\r\n\r\n`);
    socket.write(body);
    socket.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    const text = await readRest(socket, 500);
    // Both requests were answered on the one connection: the first body was read through.
    assert.equal(text.match(/HTTP\/1\.1 413/g)?.length, 2, text);
  });

  it('cuts a connection whose unread body passes the byte bound', async () => {
    const started = performance.now();
    const reply = await sendThenRead(
      port,
      'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 104857600\r\n\r\n',
      100 * 1024 * 1024,
      1000,
    );
    assert.ok(reply.written < 20 * 1024 * 1024, `wrote ${reply.written}`);
    assert.ok(reply.error !== undefined, 'the write fails once the gateway stops reading');
    assert.ok(performance.now() - started < 5000);
  });

  it('closes a connection whose client stops sending the body, after the idle bound', async () => {
    const socket = await openSocket(port);
    socket.write('POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\n\r\nabc');
    const started = performance.now();
    const text = await readRest(socket, 5000);
    const elapsed = performance.now() - started;
    assert.match(text, /^HTTP\/1\.1 413/);
    assert.ok(elapsed >= 250 && elapsed < 3000, `closed after ${elapsed} ms`);
  });

  it('closes a trickling client after the time bound', async () => {
    const socket = await openSocket(port);
    socket.on('error', () => {});
    socket.write('POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\n\r\n');
    const started = performance.now();
    // A byte every 100 ms never trips the idle bound; the total one ends it.
    const trickle = setInterval(() => {
      if (!socket.destroyed) socket.write('a');
    }, 100);
    await new Promise((resolve) => socket.once('close', resolve));
    clearInterval(trickle);
    const elapsed = performance.now() - started;
    assert.ok(elapsed >= 1400 && elapsed < 4000, `closed after ${elapsed} ms`);
  });
});
