/**
 * The server of an HTTPS entrypoint: HTTP/2 when the client offers `h2` in ALPN, HTTP/1.1 otherwise, on the
 * same port (Traefik does the same on every TLS entrypoint). Certificates and TLS options come from
 * {@link TlsHandshakes}; a handshake that its options refuse (strict SNI without a name, a missing or
 * unverified client certificate) is closed before any request is read.
 */

import type { IncomingMessage, ServerResponse } from 'node:http';
import { createSecureServer, type Http2SecureServer, type Http2Session } from 'node:http2';
import type { Socket } from 'node:net';
import type { SecureContext, TLSSocket } from 'node:tls';
import { clientHelloServerName, maxHelloBytes } from '../tls/client-hello.ts';
import type { TlsHandshakes } from '../tls/handshake.ts';

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

/** An HTTPS server and what its graceful close needs. */
export interface HttpsServer {
  readonly server: Http2SecureServer;
  /** Starts closing each HTTP/2 connection: GOAWAY, streams in flight finish. */
  closeSessions(): void;
  /** Cuts every HTTP/2 connection still open. */
  destroySessions(): void;
}

/** Creates the server; `onRequest` serves HTTP/1.1 and HTTP/2 requests alike (Node's compatibility API). */
export function createHttpsServer(
  options: SecureServerOptions,
  handshakes: TlsHandshakes,
  onRequest: (req: IncomingMessage, res: ServerResponse) => void,
): HttpsServer {
  const server = createSecureServer(
    {
      ...options.http1,
      allowHTTP1: true,
      // The server's own context serves clients that send no server name; update() replaces it.
      SNICallback: handshakes.sniCallback,
      ALPNCallback: handshakes.alpnCallback,
      settings: { maxConcurrentStreams: options.maxConcurrentStreams },
    },
    // The compatibility API's request and response look like HTTP/1's for what the pipeline uses.
    onRequest as unknown as Parameters<typeof createSecureServer>[1],
  );
  startFromClientHello(server, handshakes, options.http1.headersTimeout);
  // Node's own listener turns an accepted TLS connection into HTTP/1 or HTTP/2: only connections that pass
  // their options' checks reach it.
  const [serve] = server.listeners('secureConnection') as ((socket: TLSSocket) => void)[];
  server.removeAllListeners('secureConnection');
  server.on('secureConnection', (socket: TLSSocket) => {
    if (handshakes.accept(socket)) serve?.call(server, socket);
  });
  const sessions = new Set<Http2Session>();
  server.on('session', (session: Http2Session) => {
    sessions.add(session);
    session.once('close', () => sessions.delete(session));
    if (options.idleTimeout > 0) session.setTimeout(options.idleTimeout, () => session.close());
  });
  return {
    server,
    closeSessions() {
      for (const session of sessions) session.close();
    },
    destroySessions() {
      for (const session of sessions) session.destroy();
    },
  };
}

/**
 * Reads each connection's ClientHello before Node's TLS layer sees it, so the connection starts from the
 * context of its server name's TLS options (protocol versions, cipher suites and curves cannot change once
 * OpenSSL has the hello). Node takes the bytes read back (`unshift`: a TLS socket first consumes what its
 * transport has buffered). The context is passed the only way Node's listener takes one: the server's
 * `_sharedCreds`, swapped for the synchronous call that wraps the socket; `requestCert` likewise asks for a
 * client certificate only when the name's options want one.
 */
function startFromClientHello(server: Http2SecureServer, handshakes: TlsHandshakes, timeout: number): void {
  const [wrap] = server.listeners('connection') as ((socket: Socket) => void)[];
  if (wrap === undefined) return;
  server.removeListener('connection', wrap);
  // Read by Node's listener for each connection it wraps. Client certificates are checked per options once
  // the handshake is done (tls/handshake.ts), so none is refused during it.
  const creds = server as unknown as {
    _sharedCreds: SecureContext;
    requestCert: boolean;
    rejectUnauthorized: boolean;
  };
  creds.rejectUnauthorized = false;
  server.prependListener('connection', (socket: Socket) => {
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
      const context = handshakes.initialContext(name ?? null);
      const shared = creds._sharedCreds;
      if (context !== undefined) creds._sharedCreds = context;
      creds.requestCert = handshakes.wantsClientCertificate(name ?? null);
      try {
        wrap.call(server, socket);
      } finally {
        creds._sharedCreds = shared;
      }
    };
    socket.on('data', onData);
    socket.on('error', onError);
  });
}
