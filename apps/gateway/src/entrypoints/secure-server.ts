/**
 * The server of an HTTPS entrypoint: HTTP/2 when the client offers `h2` in ALPN, HTTP/1.1 otherwise, on the
 * same port (Traefik does the same on every TLS entrypoint). Certificates and TLS options come from
 * {@link TlsHandshakes}; a handshake that its options refuse (strict SNI without a name, a missing or
 * unverified client certificate) is closed before any request is read.
 *
 * OpenSSL fixes a connection's protocol versions, cipher suites and curves, and whether a client certificate
 * is asked for, before the SNI callback runs. So a plain TCP server accepts each connection, reads the server
 * name from its ClientHello, and injects the connection (public `'connection'` event) into the TLS server of
 * that name's options: one Node `Http2SecureServer` per options name, built from those options.
 */

import type { IncomingMessage, ServerResponse } from 'node:http';
import { createSecureServer, type Http2SecureServer, type Http2Session } from 'node:http2';
import { createServer as createTcpServer, type Server, type Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { clientHelloServerName, maxHelloBytes } from '../tls/client-hello.ts';
import type { TlsHandshakes } from '../tls/handshake.ts';
import type { TlsOptions } from '../tls/options.ts';

/** Options of {@link createHttpsServer} besides the handshakes. */
export interface SecureServerOptions {
  /** Node's HTTP/1 server timeouts and limits, applied to HTTP/1.1 connections. */
  readonly http1: {
    readonly requestTimeout: number;
    readonly headersTimeout: number;
    readonly connectionsCheckingInterval: number;
    readonly keepAliveTimeout: number;
    readonly maxHeaderSize: number;
  };
  /** An HTTP/2 connection without a stream for this long is closed, ms (Traefik's idleTimeout); 0: never. */
  readonly idleTimeout: number;
  /** Streams a client may have open at once on one connection (Traefik's `http2.maxConcurrentStreams`, 250). */
  readonly maxConcurrentStreams: number;
}

type UpgradeListener = (req: IncomingMessage, socket: Socket, head: Buffer) => void;

/** An HTTPS server and what its graceful close needs. */
export interface HttpsServer {
  /** The listening TCP server (its `'connection'` events see connections before TLS). */
  readonly server: Server;
  /** Serves HTTP/1.1 upgrade requests (WebSocket over TLS). */
  onUpgrade(listener: UpgradeListener): void;
  /** Applies the handshakes' current state to connections from now on (after {@link TlsHandshakes.update}). */
  reload(): void;
  /** Closes HTTP/1.1 connections with no request in flight. */
  closeIdleConnections(): void;
  /** Starts closing each HTTP/2 connection: GOAWAY, streams in flight finish. */
  closeSessions(): void;
  /** Cuts every connection still open. */
  destroySessions(): void;
}

/** Creates the server; `onRequest` serves HTTP/1.1 and HTTP/2 requests alike (Node's compatibility API). */
export function createHttpsServer(
  options: SecureServerOptions,
  handshakes: TlsHandshakes,
  onRequest: (req: IncomingMessage, res: ServerResponse) => void,
): HttpsServer {
  const sessions = new Set<Http2Session>();
  const sockets = new Set<Socket>();
  const upgrades: UpgradeListener[] = [];
  // The TLS servers of the current state by options name; those of earlier states serve their connections
  // until the last one closes.
  let current = new Map<string, Http2SecureServer>();
  const all = new Map<Http2SecureServer, { readonly name: string; connections: number }>();
  const retire = (server: Http2SecureServer) => {
    all.delete(server);
    // Stops its timeout checks; it was never bound, so Node reports that it was not running.
    server.close(() => {});
  };
  const release = (server: Http2SecureServer) => {
    const entry = all.get(server);
    if (entry === undefined) return;
    entry.connections -= 1;
    if (entry.connections === 0 && current.get(entry.name) !== server) retire(server);
  };

  const build = (tlsOptions: TlsOptions): Http2SecureServer | undefined => {
    const context = handshakes.serverContext(tlsOptions);
    if (context === undefined) return undefined;
    const server = createSecureServer(
      {
        ...options.http1,
        ...context,
        allowHTTP1: true,
        // Client certificates are checked per options once the handshake is done (tls/handshake.ts).
        requestCert: tlsOptions.clientAuth !== undefined && tlsOptions.clientAuth !== 'NoClientCert',
        rejectUnauthorized: false,
        SNICallback: handshakes.sniCallback,
        ALPNCallback: handshakes.alpnCallback,
        settings: { maxConcurrentStreams: options.maxConcurrentStreams },
      },
      // The compatibility API's request and response look like HTTP/1's for what the pipeline uses.
      onRequest as unknown as Parameters<typeof createSecureServer>[1],
    );
    // Node's own listener turns an accepted TLS connection into HTTP/1 or HTTP/2: only connections that pass
    // their options' checks reach it.
    const [serve] = server.listeners('secureConnection') as ((socket: TLSSocket) => void)[];
    server.removeAllListeners('secureConnection');
    server.on('secureConnection', (socket: TLSSocket) => {
      if (handshakes.accept(socket)) serve?.call(server, socket);
    });
    server.on('session', (session: Http2Session) => {
      sessions.add(session);
      session.once('close', () => sessions.delete(session));
      if (options.idleTimeout > 0) session.setTimeout(options.idleTimeout, () => session.close());
    });
    for (const listener of upgrades) server.on('upgrade', listener);
    // Node starts checking HTTP/1 headersTimeout/requestTimeout on 'listening'; this server never listens
    // itself (connections come from the TCP server), so it is told the TCP server is listening.
    server.emit('listening');
    all.set(server, { name: tlsOptions.name, connections: 0 });
    return server;
  };

  const serverFor = (servername: string | null): Http2SecureServer | undefined => {
    const tlsOptions = handshakes.startingOptions(servername);
    if (tlsOptions === undefined) return undefined;
    let server = current.get(tlsOptions.name);
    if (server === undefined) {
      server = build(tlsOptions);
      if (server !== undefined) current.set(tlsOptions.name, server);
    }
    return server;
  };

  const listener = createTcpServer((socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    readClientHello(socket, options.http1.headersTimeout, (name) => {
      const server = serverFor(name);
      const entry = server && all.get(server);
      if (server === undefined || entry === undefined) {
        socket.destroy();
        return;
      }
      entry.connections += 1;
      socket.once('close', () => release(server));
      server.emit('connection', socket);
    });
  });

  return {
    server: listener,
    onUpgrade(upgrade) {
      upgrades.push(upgrade);
      for (const server of all.keys()) server.on('upgrade', upgrade);
    },
    reload() {
      const previous = current;
      current = new Map();
      for (const server of previous.values()) if (all.get(server)?.connections === 0) retire(server);
    },
    closeIdleConnections() {
      // Node's HTTP/1 machinery under allowHTTP1 has it, though Http2SecureServer's types do not name it.
      for (const server of all.keys())
        (server as unknown as { closeIdleConnections(): void }).closeIdleConnections();
    },
    closeSessions() {
      for (const server of all.keys()) server.close(() => {});
      for (const session of sessions) session.close();
    },
    destroySessions() {
      for (const session of sessions) session.destroy();
      for (const socket of sockets) socket.destroy();
    },
  };
}

/**
 * Reads `socket`'s ClientHello up to its server name, puts the bytes back (a TLS socket first consumes what
 * its transport has buffered) and calls `then` with the name (null: none sent or not a ClientHello).
 */
function readClientHello(socket: Socket, timeout: number, then: (name: string | null) => void): void {
  const chunks: Buffer[] = [];
  let size = 0;
  const timer = setTimeout(() => socket.destroy(), timeout);
  timer.unref();
  const done = () => {
    clearTimeout(timer);
    socket.off('data', onData);
    socket.off('error', onError);
  };
  const onError = () => {
    done();
    socket.destroy();
  };
  const onData = (chunk: Buffer) => {
    chunks.push(chunk);
    size += chunk.length;
    const data = chunks.length === 1 ? chunk : Buffer.concat(chunks, size);
    const name = clientHelloServerName(data);
    if (name === undefined && size < maxHelloBytes) return;
    done();
    socket.pause();
    socket.unshift(data);
    then(name ?? null);
  };
  socket.on('data', onData);
  socket.on('error', onError);
}
