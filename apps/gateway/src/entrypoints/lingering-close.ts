/**
 * Lingering close, as nginx's `lingering_close` and Go's server do it: an answer sent before the request body
 * was read must not be followed by closing a socket that still has request data coming in, because the
 * kernel then resets the connection, and a reset discards the answer waiting in the client's receive buffer
 * (a client that sends its whole body before reading, such as Python's requests, sees `Connection reset by
 * peer` instead of a 413). After such an answer the rest of the body is read and thrown away, within bounds;
 * if the connection is closing, it is closed once the body is read (our FIN was sent with the answer), and
 * cut when a bound is passed, as nginx does after `lingering_time`.
 */

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/** How much unread request data is drained after an answer, and for how long. */
export interface LingerBounds {
  /** Bytes read and discarded at most. */
  readonly maxBytes: number;
  /** Time spent draining at most, ms (nginx's `lingering_time`, 30 s). */
  readonly timeMs: number;
  /** Longest wait for the next data, ms (nginx's `lingering_timeout`, 5 s). */
  readonly idleMs: number;
}

/** nginx's time bounds; 64 MiB of body at most. */
export const defaultLingerBounds: LingerBounds = {
  maxBytes: 64 * 1024 * 1024,
  timeMs: 30_000,
  idleMs: 5_000,
};

/**
 * The `finish` listener that arms lingering close: when an answer is complete and its request body is not, the
 * rest is drained. One function per entrypoint, not a closure per request: it reads the request from the
 * response (`this.req`). Add it to every response with `prependListener`, so it runs before Node's own
 * `finish` handler, which closes a `Connection: close` socket.
 */
export function lingeringClose(
  bounds: LingerBounds = defaultLingerBounds,
): (this: ServerResponse<IncomingMessage>) => void {
  return function onFinish(this: ServerResponse<IncomingMessage>) {
    const req = this.req;
    if (!req.complete && !req.destroyed) drain(req, req.socket, bounds);
  };
}

function drain(req: IncomingMessage, socket: Socket, bounds: LingerBounds): void {
  let received = 0;
  let closing = false;
  const started = performance.now();

  const cleanup = () => {
    clearTimeout(timer);
    req.off('data', onData);
    req.off('end', onEnd);
    req.off('close', onClose);
    // Node's own destroySoon again (it lives on the prototype), for the next exchange on a kept connection.
    Reflect.deleteProperty(socket, 'destroySoon');
  };
  const cut = () => {
    cleanup();
    socket.destroy();
  };
  const onData = (chunk: Buffer) => {
    received += chunk.length;
    if (received > bounds.maxBytes || performance.now() - started > bounds.timeMs) cut();
    else timer.refresh();
  };
  const onEnd = () => {
    cleanup();
    // Everything the client sent is read: closing now sends a FIN, not a reset.
    if (closing) socket.destroy();
  };
  const onClose = () => cleanup();
  // Refreshed by each chunk: it fires when the client stops sending, or sends too slowly, for idleMs.
  const timer = setTimeout(cut, Math.min(bounds.idleMs, bounds.timeMs));
  timer.unref();

  // Node's server calls destroySoon() right after a `Connection: close` answer: end our side now (the answer
  // is flushed first), but destroy only once the body is drained.
  socket.destroySoon = () => {
    closing = true;
    socket.end();
  };
  // Whatever was reading the body (the proxy's upload) is done with it.
  req.unpipe();
  req.removeAllListeners('data');
  req.on('data', onData);
  req.once('end', onEnd);
  req.once('close', onClose);
  req.resume();
}
