/**
 * An exchange whose request asks to switch protocols (`Connection: Upgrade` + `Upgrade`, a websocket
 * handshake), as Node hands it over: the request and the raw client socket, no response object. It travels
 * the same pipeline as any request (routing, middlewares, load balancer), so it gets a `ServerResponse` of its
 * own on that socket: whatever answers before the switch (a 401 from forwardAuth, a 404, a 502) is written
 * there as usual, with `Connection: close`. When the upstream agrees to switch, the proxy takes the socket
 * over ({@link UpgradeExchange.takeSocket}) and the response never writes to it again.
 */

import { type IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { type ConnectionInfo, Exchange } from './exchange.ts';

/** Bytes a client may send before the switch that are kept for the upstream; past this, reading pauses. */
const earlyLimit = 64 * 1024;

/** The client's socket, taken over by the proxy, with the bytes it sent past the request head. */
export interface TakenSocket {
  readonly socket: Duplex;
  readonly early: Buffer;
}

/** An exchange for an HTTP/1.1 upgrade request. */
export class UpgradeExchange extends Exchange {
  readonly #socket: Duplex;
  #early: Buffer[];
  #earlySize: number;
  #taken = false;
  #ended = false;

  /** `head` is what Node read past the request head (the start of the upgraded protocol, if any). */
  constructor(req: IncomingMessage, socket: Duplex, head: Buffer, connection: ConnectionInfo) {
    const res = new ServerResponse(req);
    super(req, res, connection);
    this.#socket = socket;
    this.#early = head.length > 0 ? [head] : [];
    this.#earlySize = head.length;
    // The request has no body to read: middlewares that read one (forwardAuth's forwardBody, buffering,
    // retry) get an empty one at once.
    this.bufferedBody = Buffer.alloc(0);
    res.shouldKeepAlive = false;
    // Node leaves an upgraded socket without an error listener: a reset would be thrown.
    socket.on('error', ignore);
    // Node's 'upgrade' event types the socket as a Duplex; it is the connection's net.Socket (or TLSSocket).
    res.assignSocket(socket as Socket);
    // An answer before the switch ends the connection: the client asked for another protocol on it.
    res.once('finish', () => endSoon(socket));
    socket.on('data', this.#keepEarly);
    // A client that hangs up before the switch is gone (Go's server notices it the same way, reading in the
    // background): closing the socket closes the response, which cancels the auth or upstream call in flight.
    socket.once('end', this.#clientEnded);
  }

  readonly #keepEarly = (chunk: Buffer) => {
    this.#early.push(chunk);
    this.#earlySize += chunk.length;
    if (this.#earlySize > earlyLimit) this.#socket.pause();
  };

  readonly #clientEnded = () => {
    if (!this.#taken) this.#socket.destroy();
  };

  /**
   * Takes the client's socket from the response, once the upstream switched protocols; undefined when the
   * client is already gone or the socket was taken. The response stays open, detached, until
   * {@link tunnelClosed}.
   */
  takeSocket(): TakenSocket | undefined {
    const socket = this.#socket;
    if (this.#taken || socket.destroyed) return undefined;
    this.#taken = true;
    socket.off('data', this.#keepEarly);
    socket.off('end', this.#clientEnded);
    this.res.detachSocket(socket as Socket);
    const early = Buffer.concat(this.#early);
    this.#early = [];
    return { socket, early };
  }

  /**
   * Records the switch for the access log and the metrics (the status the client got): the 101 head was
   * written straight to the socket, not through the response.
   */
  switched(status: number): void {
    this.res.statusCode = status;
    Object.defineProperty(this.res, 'headersSent', { value: true });
  }

  /** The tunnel is closed: the response closes too, once, so the exchange is logged and its lease released. */
  tunnelClosed(): void {
    if (this.#ended) return;
    this.#ended = true;
    this.res.emit('close');
  }
}

function ignore(): void {}

/** Ends a socket once what was written is flushed, then destroys it (for a peer that never closes its side). */
export function endSoon(socket: Duplex): void {
  if (socket.destroyed) return;
  socket.end(() => socket.destroy());
}
