/**
 * Test helpers for protocol switches: a websocket echo upstream and a websocket client, written on Node's
 * `upgrade` event and raw RFC 6455 frames (text frames only; no `ws` package in the repository). Not a test
 * file itself.
 */

import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createSecureServer } from 'node:http2';
import { createServer as createHttpsServer } from 'node:https';
import { type AddressInfo, connect, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { connect as connectTls } from 'node:tls';

const guid = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

/** The `Sec-WebSocket-Accept` answering a key. */
export function acceptKey(key: string): string {
  return createHash('sha1')
    .update(key + guid)
    .digest('base64');
}

/** One text frame; client frames are masked (RFC 6455 §5.3). */
export function textFrame(text: string, masked: boolean): Buffer {
  const payload = Buffer.from(text);
  const length = payload.length;
  const head =
    length < 126 ? Buffer.from([0x81, length]) : Buffer.from([0x81, 126, length >> 8, length & 255]);
  if (!masked) return Buffer.concat([head, payload]);
  head[1] = (head[1] as number) | 0x80;
  const mask = randomBytes(4);
  const body = Buffer.from(payload.map((byte, i) => byte ^ (mask[i % 4] as number)));
  return Buffer.concat([head, mask, body]);
}

/** Reads text frames from a socket, one at a time. */
class FrameReader {
  #buffered = Buffer.alloc(0);
  readonly #frames: string[] = [];
  readonly #waiting: ((text: string | undefined) => void)[] = [];
  #closed = false;

  readonly #onClose: ((payload: Buffer) => void) | undefined;

  /** `onClose` gets the payload of a Close frame (RFC 6455 §5.5.1). */
  constructor(socket: Duplex, first: Buffer, onClose?: (payload: Buffer) => void) {
    this.#onClose = onClose;
    socket.on('data', (chunk: Buffer) => this.#push(chunk));
    socket.once('close', () => {
      this.#closed = true;
      for (const wake of this.#waiting.splice(0)) wake(undefined);
    });
    if (first.length > 0) this.#push(first);
  }

  #push(chunk: Buffer): void {
    this.#buffered = Buffer.concat([this.#buffered, chunk]);
    for (;;) {
      const b = this.#buffered;
      if (b.length < 2) return;
      const masked = ((b[1] as number) & 0x80) !== 0;
      let length = (b[1] as number) & 0x7f;
      let offset = 2;
      if (length === 126) {
        if (b.length < 4) return;
        length = b.readUInt16BE(2);
        offset = 4;
      }
      const total = offset + (masked ? 4 : 0) + length;
      if (b.length < total) return;
      let payload = b.subarray(offset + (masked ? 4 : 0), total);
      if (masked) {
        const mask = b.subarray(offset, offset + 4);
        payload = Buffer.from(payload.map((byte, i) => byte ^ (mask[i % 4] as number)));
      }
      this.#buffered = b.subarray(total);
      if (((b[0] as number) & 0x0f) === 8) {
        this.#onClose?.(payload);
        continue;
      }
      const text = payload.toString();
      const wake = this.#waiting.shift();
      if (wake) wake(text);
      else this.#frames.push(text);
    }
  }

  /** The next text frame; undefined once the socket is closed. */
  next(): Promise<string | undefined> {
    const frame = this.#frames.shift();
    if (frame !== undefined) return Promise.resolve(frame);
    if (this.#closed) return Promise.resolve(undefined);
    return new Promise((resolve) => this.#waiting.push(resolve));
  }
}

/** A handshake an echo upstream received. */
export interface Handshake {
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly rawHeaders: string[];
}

/** A websocket echo upstream. */
export interface EchoUpstream {
  readonly url: string;
  readonly handshakes: Handshake[];
  /** Sockets of the switched connections, open or closed. */
  readonly sockets: Duplex[];
  close(): Promise<void>;
}

/**
 * What the echo upstream answers a handshake: undefined switches (101) and echoes text frames; a status and a
 * body refuse; `switchTo` answers a 101 naming that protocol and closes.
 */
export type HandshakeAnswer = (
  req: IncomingMessage,
) => { status: number; body: string } | { switchTo: string } | undefined;

/** Serve TLS with this certificate; with `http2`, offer HTTP/2 through ALPN too (HTTP/1.1 still accepted). */
export interface EchoTls {
  readonly cert: string;
  readonly key: string;
  readonly http2?: boolean;
}

/** Starts a websocket echo upstream on 127.0.0.1:0 (https:// with `tls`). */
export async function startEchoUpstream(
  answer: HandshakeAnswer = () => undefined,
  tls?: EchoTls,
): Promise<EchoUpstream> {
  const handshakes: Handshake[] = [];
  const sockets: Duplex[] = [];
  const plain = (_req: IncomingMessage, res: ServerResponse) => {
    res.writeHead(426, { 'content-type': 'text/plain' });
    res.end('upgrade required');
  };
  const server: Server =
    tls === undefined
      ? createServer(plain)
      : tls.http2
        ? (createSecureServer({ ...tls, allowHTTP1: true }, plain as never) as unknown as Server)
        : createHttpsServer(tls, plain);
  // Every connection, to cut on close (an HTTP/2 server has no closeAllConnections).
  const connections = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    connections.add(socket);
    socket.once('close', () => connections.delete(socket));
  });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => {});
    handshakes.push({ url: req.url ?? '', headers: req.headers, rawHeaders: req.rawHeaders });
    const refused = answer(req);
    if (refused !== undefined && 'switchTo' in refused) {
      socket.end(
        `HTTP/1.1 101 Switching Protocols\r\nUpgrade: ${refused.switchTo}\r\nConnection: Upgrade\r\n\r\n`,
      );
      return;
    }
    if (refused !== undefined) {
      socket.end(
        `HTTP/1.1 ${refused.status} Refused\r\ncontent-type: text/plain\r\ncontent-length: ${Buffer.byteLength(refused.body)}\r\nconnection: close\r\n\r\n${refused.body}`,
      );
      return;
    }
    sockets.push(socket);
    const key = String(req.headers['sec-websocket-key']);
    socket.write(
      `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${acceptKey(key)}\r\nX-Upstream: echo\r\n\r\n`,
    );
    // A Close frame is answered with one and the connection ended, as a websocket server does.
    const reader = new FrameReader(socket, head, (payload) => {
      socket.end(Buffer.concat([Buffer.from([0x88, payload.length]), payload]));
    });
    void (async () => {
      for (;;) {
        const text = await reader.next();
        if (text === undefined) return;
        socket.write(textFrame(`echo: ${text}`, false));
      }
    })();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `${tls === undefined ? 'http' : 'https'}://127.0.0.1:${port}`,
    handshakes,
    sockets,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      for (const socket of connections) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The gateway's answer to a handshake; when it switched, a websocket on it. */
export interface ClientHandshake {
  readonly status: number;
  /** Lower-case names. */
  readonly headers: Record<string, string>;
  /** The body of an answer other than 101 (read until the connection closes). */
  readonly body: string;
  readonly socket: Socket;
  /** The key sent, to check `Sec-WebSocket-Accept`. */
  readonly key: string;
  send(text: string): void;
  /** The next text frame; undefined once the connection is closed. */
  next(): Promise<string | undefined>;
}

/**
 * Sends a websocket handshake to `url` (an http:// URL) with extra headers and waits for the answer. A 101
 * leaves the connection open for frames; any other answer is read to the end of the connection.
 */
export async function openWebSocket(
  url: string,
  headers: Record<string, string> = {},
  options: {
    upgrade?: string;
    connection?: string;
    onSocket?: (socket: Socket) => void;
    /** A text frame sent in the same write as the handshake, before any answer. */
    early?: string;
  } = {},
): Promise<ClientHandshake> {
  const target = new URL(url);
  // The gateway's default certificate is self-signed: this client accepts it.
  const socket =
    target.protocol === 'https:'
      ? connectTls({ port: Number(target.port), host: target.hostname, rejectUnauthorized: false })
      : connect(Number(target.port), target.hostname);
  socket.on('error', () => {});
  options.onSocket?.(socket);
  await once(socket, target.protocol === 'https:' ? 'secureConnect' : 'connect');
  const key = randomBytes(16).toString('base64');
  let request = `GET ${target.pathname}${target.search} HTTP/1.1\r\nHost: ${target.host}\r\n`;
  request += `Connection: ${options.connection ?? 'Upgrade'}\r\nUpgrade: ${options.upgrade ?? 'websocket'}\r\n`;
  request += `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n`;
  for (const [name, value] of Object.entries(headers)) request += `${name}: ${value}\r\n`;
  socket.write(
    options.early === undefined
      ? `${request}\r\n`
      : Buffer.concat([Buffer.from(`${request}\r\n`), textFrame(options.early, true)]),
  );

  let received = Buffer.alloc(0);
  let end = -1;
  while (end === -1) {
    const chunk = await new Promise<Buffer | undefined>((resolve) => {
      const onData = (data: Buffer) => {
        socket.off('close', onClose);
        resolve(data);
      };
      const onClose = () => {
        socket.off('data', onData);
        resolve(undefined);
      };
      socket.once('data', onData);
      socket.once('close', onClose);
    });
    if (chunk === undefined) throw new Error(`connection closed before an answer: ${received.toString()}`);
    received = Buffer.concat([received, chunk]);
    end = received.indexOf('\r\n\r\n');
  }
  socket.pause();
  const lines = received.subarray(0, end).toString('latin1').split('\r\n');
  const status = Number(lines[0]?.split(' ')[1]);
  const answerHeaders: Record<string, string> = {};
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    const name = line.slice(0, colon).toLowerCase();
    const value = line.slice(colon + 1).trim();
    answerHeaders[name] = answerHeaders[name] === undefined ? value : `${answerHeaders[name]}, ${value}`;
  }
  const rest = received.subarray(end + 4);
  let body = '';
  if (status !== 101) {
    // To the declared length or the last chunk, else to the end of the connection.
    const length = Number(answerHeaders['content-length'] ?? Number.NaN);
    const chunked = answerHeaders['transfer-encoding'] === 'chunked';
    const complete = (bytes: Buffer) =>
      chunked ? bytes.toString('latin1').endsWith('0\r\n\r\n') : bytes.length >= length;
    let bytes = rest;
    if (!complete(bytes)) {
      await new Promise<void>((resolve) => {
        socket.on('data', (chunk: Buffer) => {
          bytes = Buffer.concat([bytes, chunk]);
          if (complete(bytes)) resolve();
        });
        socket.once('close', () => resolve());
        socket.resume();
      });
    }
    body = bytes.toString();
    if (answerHeaders['transfer-encoding'] === 'chunked') body = unchunk(body);
  }
  const reader = status === 101 ? new FrameReader(socket, rest) : undefined;
  if (reader) socket.resume();
  return {
    status,
    headers: answerHeaders,
    body,
    socket,
    key,
    send: (text) => socket.write(textFrame(text, true)),
    next: () => reader?.next() ?? Promise.resolve(undefined),
  };
}

function unchunk(text: string): string {
  let out = '';
  let rest = text;
  for (;;) {
    const line = rest.indexOf('\r\n');
    if (line === -1) return out;
    const size = Number.parseInt(rest.slice(0, line), 16);
    if (!(size > 0)) return out;
    out += rest.slice(line + 2, line + 2 + size);
    rest = rest.slice(line + 2 + size + 2);
  }
}
