/**
 * A raw HTTP/1.1 client on a TCP socket, for what undici and Node's client refuse to send or hide: smuggling
 * attempts, byte-by-byte heads, bodies pushed after an early answer. Not a test file (no `.test.ts`).
 */

import { connect, type Socket } from 'node:net';

/** What came back on one connection. */
export interface RawReply {
  /** Everything read, as latin1 text. */
  readonly text: string;
  /** The status of the first response, or 0 when none was read. */
  readonly status: number;
  /** The socket error that ended the connection (ECONNRESET, EPIPE), if any. */
  readonly error: string | undefined;
  /** Body bytes written before the connection ended. */
  readonly written: number;
}

/**
 * Opens a connection to 127.0.0.1:`port`. Later socket errors (a reset) never throw: they end in 'close', and
 * callers that want the code listen for 'error' themselves.
 */
export function openSocket(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port }, () => {
      socket.off('error', reject);
      socket.on('error', () => {});
      resolve(socket);
    });
    socket.once('error', reject);
  });
}

/** The status code of the first status line in `text`, or 0. */
export function statusOf(text: string): number {
  const match = /^HTTP\/1\.[01] (\d{3})/.exec(text);
  return match ? Number(match[1]) : 0;
}

/**
 * Sends `head` then writes `bodySize` bytes as fast as the peer takes them, without reading (the way a
 * client that sends the whole body before looking at the answer behaves: Python's requests, HTTPie), then
 * reads until the peer closes or `idleMs` passes without data. A connection reset before the answer was read
 * loses the answer, as it does for such a client.
 */
export async function sendThenRead(
  port: number,
  head: string,
  bodySize: number,
  idleMs = 2000,
): Promise<RawReply> {
  const socket = await openSocket(port);
  // Nothing is read from the kernel until the body is sent: the answer waits in the receive buffer, where a
  // reset from the peer discards it.
  socket.pause();
  let error: string | undefined;
  socket.on('error', (e: NodeJS.ErrnoException) => {
    error ??= e.code ?? e.message;
  });
  let written = 0;
  const chunk = Buffer.alloc(64 * 1024, 0x61);
  try {
    await write(socket, Buffer.from(head, 'latin1'));
    while (written < bodySize && !socket.destroyed) {
      const piece = bodySize - written >= chunk.length ? chunk : chunk.subarray(0, bodySize - written);
      await write(socket, piece);
      written += piece.length;
    }
  } catch (e) {
    error ??= (e as NodeJS.ErrnoException).code ?? (e as Error).message;
  }
  const text = await readRest(socket, idleMs, true);
  return { text, status: statusOf(text), error, written };
}

/** Sends `bytes` at once and reads until the peer closes or `idleMs` passes without data. */
export async function exchangeRaw(port: number, bytes: string | Buffer, idleMs = 2000): Promise<RawReply> {
  const socket = await openSocket(port);
  let error: string | undefined;
  socket.on('error', (e: NodeJS.ErrnoException) => {
    error ??= e.code ?? e.message;
  });
  socket.write(typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : bytes);
  const text = await readRest(socket, idleMs);
  return { text, status: statusOf(text), error, written: 0 };
}

/**
 * Where the first response in `bytes` ends, or -1 while it is incomplete (a test helper: a chunked body ends
 * at the first `0` chunk; a body delimited by the connection's end never counts as complete).
 */
export function responseEnd(bytes: Buffer): number {
  const headEnd = bytes.indexOf('\r\n\r\n');
  if (headEnd === -1) return -1;
  const head = bytes.subarray(0, headEnd).toString('latin1');
  const status = statusOf(head);
  if (status === 204 || status === 304 || (status >= 100 && status < 200)) return headEnd + 4;
  if (/\r\ntransfer-encoding: *chunked/i.test(head)) {
    const last = bytes.indexOf('\r\n0\r\n\r\n', headEnd + 2);
    return last === -1 ? -1 : last + 7;
  }
  const length = /\r\ncontent-length: *(\d+)/i.exec(head);
  if (!length) return -1;
  const end = headEnd + 4 + Number(length[1]);
  return bytes.length >= end ? end : -1;
}

/**
 * Reads what `socket` still delivers until it closes, a whole response has arrived (with `untilResponse`), or
 * it is idle for `idleMs`; then destroys it.
 */
export function readRest(socket: Socket, idleMs: number, untilResponse = false): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let timer = setTimeout(finish, idleMs);
    function finish() {
      clearTimeout(timer);
      socket.off('data', onData);
      socket.destroy();
      resolve(Buffer.concat(chunks).toString('latin1'));
    }
    function onData(data: Buffer) {
      chunks.push(data);
      if (untilResponse && responseEnd(Buffer.concat(chunks)) !== -1) {
        finish();
        return;
      }
      clearTimeout(timer);
      timer = setTimeout(finish, idleMs);
    }
    if (socket.destroyed) {
      finish();
      return;
    }
    socket.on('data', onData);
    socket.once('close', finish);
    socket.once('end', finish);
    socket.resume();
  });
}

function write(socket: Socket, data: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    if (socket.destroyed) {
      reject(new Error('socket destroyed'));
      return;
    }
    const onClose = () => reject(new Error('socket closed while writing'));
    socket.once('close', onClose);
    socket.write(data, (error) => {
      socket.off('close', onClose);
      if (error) reject(error);
      else resolve();
    });
  });
}

/** Sends `head` on an open connection and resolves with the first whole response; the connection stays open. */
export function requestOn(socket: Socket, head: string, timeoutMs = 5000): Promise<string> {
  return new Promise((resolve, reject) => {
    let received = Buffer.alloc(0);
    const timer = setTimeout(() => done(new Error('no whole response in time')), timeoutMs);
    function done(error?: Error) {
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('close', onClose);
      if (error) reject(error);
      else resolve(received.toString('latin1'));
    }
    function onData(data: Buffer) {
      received = Buffer.concat([received, data]);
      if (responseEnd(received) !== -1) done();
    }
    function onClose() {
      done(new Error('connection closed before a whole response'));
    }
    socket.on('data', onData);
    socket.once('close', onClose);
    socket.write(head);
  });
}
