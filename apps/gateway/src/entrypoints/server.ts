/**
 * One entrypoint: a listening socket that turns each request into an {@link Exchange}, applies the
 * entrypoint's forwarded-headers policy and hands it to the dispatcher. TLS slots in by giving `tls` (an HTTPS
 * server with the same pipeline). `close()` is graceful: stop accepting, let requests in flight finish (up to
 * `graceTimeOut`), then cut what is left.
 */

import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo, Server as NetServer, Socket } from 'node:net';
import type { SecureContextOptions } from 'node:tls';
import type { ListenAddress } from '../config/address.ts';
import { Exchange } from '../http/exchange.ts';
import { adaptHttp2Request, dropConnectionHeaders } from '../http/http2-compat.ts';
import { TlsHandshakes, type TlsState } from '../tls/handshake.ts';
import { type LingerBounds, lingeringClose } from './lingering-close.ts';
import { createHttpsServer, type HttpsServer } from './secure-server.ts';
import { acceptsUpgrade, Upgrades } from './upgrade.ts';

/** Options of {@link EntryPointServer}. */
export interface EntryPointServerOptions {
  readonly name: string;
  readonly address: ListenAddress;
  /** How long `close()` waits for requests in flight, in ms (Traefik's `lifeCycle.graceTimeOut`, 10 s). */
  readonly graceTimeOut: number;
  /** Time allowed to read a whole request, in ms (Traefik's `respondingTimeouts.readTimeout`, 60 s); 0: none. */
  readonly readTimeout: number;
  /** Keep-alive idle time, in ms (Traefik's `respondingTimeouts.idleTimeout`, 180 s). */
  readonly idleTimeout: number;
  /** How much unread request data is drained after an early answer (default: {@link lingeringClose}'s). */
  readonly linger?: LingerBounds | undefined;
  /** Serve HTTPS (HTTP/2 and HTTP/1.1); certificates and TLS options come with {@link EntryPointServer.setTls}. */
  readonly tls?: SecureContextOptions | undefined;
  /** HTTP/2 streams open at once per connection (Traefik's `http2.maxConcurrentStreams`, 250). */
  readonly maxConcurrentStreams?: number | undefined;
  /** Prepares each exchange before dispatch (request policy, path cleaning, forwarded headers). */
  readonly prepare: (exchange: Exchange) => void;
  /** Serves each exchange. */
  readonly dispatch: (exchange: Exchange) => void;
  /** Reports an unexpected error thrown while preparing or dispatching a request. */
  readonly onError?: (error: unknown) => void;
  /** Called with each accepted connection (metrics count open connections). */
  readonly onConnection?: ((socket: Socket) => void) | undefined;
}

/** A listening entrypoint. */
export class EntryPointServer {
  readonly name: string;
  readonly #options: EntryPointServerOptions;
  readonly #server: NetServer;
  readonly #upgrades: Upgrades;
  #closing = false;
  readonly #https: HttpsServer | undefined;
  readonly #handshakes = new TlsHandshakes();

  constructor(options: EntryPointServerOptions) {
    this.name = options.name;
    this.#options = options;
    const tls = options.tls !== undefined;
    const linger = lingeringClose(options.linger);
    const onRequest = (req: IncomingMessage, res: ServerResponse) => {
      // An HTTP/2 stream shares its connection: no lingering close, no keep-alive decision of its own.
      if (req.httpVersionMajor !== 2) {
        res.prependListener('finish', linger);
        if (this.#closing) res.shouldKeepAlive = false;
      } else {
        adaptHttp2Request(req);
        dropConnectionHeaders(res);
      }
      // A keep-alive connection whose request was in flight when close() began becomes idle only now.
      res.on('finish', this.#afterResponse);
      try {
        const exchange = new Exchange(req, res, { entryPoint: options.name, tls });
        options.prepare(exchange);
        options.dispatch(exchange);
      } catch (error) {
        // A throw from a request listener would take the whole process down: answer 500 instead.
        options.onError?.(error);
        if (!res.headersSent) {
          res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
          res.end('Internal Server Error');
        } else {
          res.destroy();
        }
      }
    };
    const headersTimeout = options.readTimeout > 0 ? Math.min(60_000, options.readTimeout) : 60_000;
    const serverOptions = {
      requestTimeout: options.readTimeout,
      headersTimeout,
      // Node checks both timeouts on a timer, every 30 s by default: a 1 s readTimeout would let a slow client
      // (slowloris) hold its connection for up to 31 s. A quarter of the timeout keeps the overrun small.
      connectionsCheckingInterval: Math.max(250, Math.min(30_000, Math.floor(headersTimeout / 4))),
      keepAliveTimeout: options.idleTimeout,
      maxHeaderSize: 64 * 1024,
      shouldUpgradeCallback: acceptsUpgrade,
    };
    this.#https = tls
      ? createHttpsServer(
          {
            http1: serverOptions,
            idleTimeout: options.idleTimeout,
            maxConcurrentStreams: options.maxConcurrentStreams ?? 250,
          },
          this.#handshakes,
          onRequest,
        )
      : undefined;
    this.#server = this.#https ? this.#https.server : createHttpServer(serverOptions, onRequest);
    if (options.onConnection) this.#server.on('connection', options.onConnection);
    this.#upgrades = new Upgrades({ ...options, entryPoint: options.name, tls });
    if (this.#https) this.#https.onUpgrade(this.#upgrades.listener);
    else this.#server.on('upgrade', this.#upgrades.listener);
  }

  readonly #afterResponse = () => {
    if (this.#closing) this.#closeIdleConnections();
  };

  #closeIdleConnections(): void {
    if (this.#https) this.#https.closeIdleConnections();
    else (this.#server as Server).closeIdleConnections();
  }

  /** True when this entrypoint serves HTTPS. */
  get tls(): boolean {
    return this.#options.tls !== undefined;
  }

  /** Sets (or replaces, for handshakes from now on) the certificates and TLS options of an HTTPS entrypoint. */
  setTls(state: TlsState): void {
    const https = this.#https;
    if (https === undefined) throw new TypeError(`entrypoint ${this.name} does not serve TLS`);
    this.#handshakes.update(state);
    https.reload();
  }

  /** Starts listening. Resolves with the bound address (useful with port 0). */
  listen(): Promise<AddressInfo> {
    const { host, port } = this.#options.address;
    return new Promise((resolve, reject) => {
      const onError = (error: Error) => reject(error);
      this.#server.once('error', onError);
      this.#server.listen({ host, port }, () => {
        this.#server.off('error', onError);
        resolve(this.#server.address() as AddressInfo);
      });
    });
  }

  /** The bound address, once listening. */
  get address(): AddressInfo | undefined {
    const address = this.#server.address();
    return address !== null && typeof address === 'object' ? address : undefined;
  }

  /** Stops accepting connections, waits for requests in flight (up to graceTimeOut), then closes the rest. */
  async close(): Promise<void> {
    if (!this.#server.listening) return;
    this.#closing = true;
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    this.#closeIdleConnections();
    this.#https?.closeSessions();
    const timer = setTimeout(() => {
      if (this.#https) this.#https.destroySessions();
      else (this.#server as Server).closeAllConnections();
      this.#upgrades.destroyAll();
    }, this.#options.graceTimeOut);
    timer.unref();
    await closed;
    clearTimeout(timer);
  }
}
