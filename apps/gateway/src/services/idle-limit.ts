/**
 * Traefik's `maxIdleConnsPerHost` on an undici Pool. undici bounds connections in use, not idle ones, so each
 * of the pool's clients (one HTTP/1.1 connection each) is watched: when one turns idle while more than the
 * limit already are, its socket is closed, as Go's transport closes a connection it has no idle slot for.
 * The client stays in the pool and connects again on its next request. HTTP/2 connections carry every
 * request to their server at once, so they are never counted or closed here.
 */

import type { Socket } from 'node:net';
import { type buildConnector, Client, type Dispatcher, type Pool } from 'undici';

interface Watched {
  socket: Socket | undefined;
}

/** A Pool `factory` keeping at most `limit` idle connections (-1: none; a connection closes after each use). */
export function idleLimitedFactory(limit: number): NonNullable<Pool.Options['factory']> {
  const clients = new Map<Client, Watched>();
  const isIdle = (client: Client, watched: Watched) =>
    watched.socket !== undefined &&
    !watched.socket.destroyed &&
    (watched.socket as Socket & { alpnProtocol?: string | false }).alpnProtocol !== 'h2' &&
    client.stats.size === 0;
  const trim = () => {
    let idle = 0;
    for (const [client, watched] of clients) {
      if (client.closed || client.destroyed) {
        clients.delete(client);
      } else if (isIdle(client, watched) && ++idle > limit) {
        watched.socket?.destroy();
        watched.socket = undefined;
      }
    }
  };
  return (origin, options): Dispatcher => {
    const watched: Watched = { socket: undefined };
    const connect = (options as { connect: buildConnector.connector }).connect;
    const client = new Client(origin, {
      ...options,
      connect: (opts, callback) =>
        connect(opts, (...args) => {
          if (args[0] === null) watched.socket = args[1];
          callback(...args);
        }),
    });
    clients.set(client, watched);
    // The pool hands queued requests to a client in its own 'drain' listener, which runs after this one:
    // whether the client is idle is known once the event is over.
    const check = () => {
      if (clients.size > limit) trim();
    };
    client.on('drain', () => queueMicrotask(check));
    client.on('connectionError', () => queueMicrotask(trim));
    return client;
  };
}
