/**
 * The reverse proxy step: sends an exchange to one upstream server through its keep-alive pool and streams the
 * answer back. Bodies stream both ways (never buffered); hop-by-hop headers are dropped both ways;
 * X-Forwarded-For gets the peer IP appended; failures map to Traefik's statuses (502, 504, 499, 500).
 */

import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { PassThrough, type Readable } from 'node:stream';
import type { Dispatcher, Pool } from 'undici';
import { ClientClosedError, type Exchange } from '../http/exchange.ts';
import {
  type HeaderNameSet,
  outgoingRequestHeaders,
  outgoingResponseHeaders,
  proxyHopHeaders,
  proxyHopSet,
} from '../http/hop-by-hop.ts';
import { UpgradeExchange } from '../http/upgrade-exchange.ts';
import { UpstreamCall } from '../http/upstream-call.ts';
import { errorCode, statusText, upstreamErrorStatus } from './errors.ts';
import { invalidProtocol, requestedProtocol, UpgradeCall } from './upgrade.ts';

/** One upstream server, resolved at load time. */
export interface Upstream {
  /** The server URL as configured (`http://127.0.0.1:8101`). */
  readonly url: URL;
  /** Its keep-alive pool. */
  readonly pool: Pool;
  /** Join the server URL's path with the request path (Traefik's `preservePath`). */
  readonly preservePath: boolean;
}

/** How requests are sent upstream. */
export interface ForwardOptions {
  /** Send the client's Host (default true in Traefik) rather than the server's. */
  readonly passHostHeader: boolean;
  /** Called with failures worth a log line (not client cancellations). */
  readonly onError?: (error: unknown, status: number) => void;
  /** Called when the answer's head arrives (the leasttime strategy times it from `log.originStart`). */
  readonly onAnswer?: (exchange: Exchange) => void;
}

/** Proxies `exchange` to `upstream`. Resolves once the response is fully sent or has failed. */
export function forward(exchange: Exchange, upstream: Upstream, options: ForwardOptions): Promise<void> {
  // Go's proxy asks the upstream to switch only when the request still asks for it after the middlewares.
  const upgrade = exchange instanceof UpgradeExchange ? requestedProtocol(exchange.headers) : undefined;
  if (upgrade !== undefined) {
    const refused = invalidProtocol(upgrade, 'client');
    if (refused !== undefined) {
      fail(exchange, refused, options);
      return Promise.resolve();
    }
  }
  const headers = requestHeaders(exchange, upstream, options);
  const buffered = exchange.bufferedBody;
  const hasBody = exchange.headers['transfer-encoding'] !== undefined || contentLength(exchange) > 0;
  if (buffered !== undefined && hasBody) headers['content-length'] = String(buffered.length);
  const log = exchange.log;
  log.ServiceURL = upstream.url.href;
  log.ServiceAddr = upstream.url.host;
  log.originStart = process.hrtime.bigint();
  return new Promise((resolve) => {
    const call = new ProxyCall(exchange, options, resolve);
    upstream.pool.dispatch(
      {
        method: exchange.method,
        path: upstreamPath(exchange, upstream),
        ...serverNameOf(upstream),
        headers,
        body: hasBody ? (buffered ?? uploadOf(exchange.req)) : null,
        upgrade,
      },
      upgrade === undefined ? call : new UpgradeCall(exchange as UpgradeExchange, upgrade, call, resolve),
    );
  });
}

/**
 * One upstream request, as undici's dispatch handler: the answer's head is written as soon as it arrives and
 * each body chunk is written as it comes, with backpressure (undici pauses reading the upstream socket while
 * the client's is full). No stream, promise chain or AbortSignal per request: the client going away aborts
 * the request through {@link Exchange.cancelOnClientGone}.
 */
class ProxyCall extends UpstreamCall {
  readonly #options: ForwardOptions;
  readonly #done: () => void;
  readonly #countDownstream: boolean;
  #status = 0;
  #resume: (() => void) | undefined;

  constructor(exchange: Exchange, options: ForwardOptions, done: () => void) {
    super(exchange);
    this.#options = options;
    this.#done = done;
    this.#countDownstream = exchange.method !== 'HEAD';
  }

  // Informational answers (100, 103) are not relayed (UpstreamCall skips them).
  protected onAnswer(statusCode: number, headers: IncomingHttpHeaders): void {
    const exchange = this.exchange;
    exchange.log.OriginStatus = statusCode;
    exchange.log.originHeaders = headers;
    this.#options.onAnswer?.(exchange);
    const out = outgoingResponseHeaders(headers, proxyHopSet);
    // Trailer is hop-by-hop, but Go's proxy announces the upstream's trailers again.
    if (headers.trailer !== undefined) out.trailer = headers.trailer;
    exchange.writeHead(statusCode, out);
    this.#status = statusCode;
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    const log = this.exchange.log;
    // Counted as the bytes pass: the access log is written when the client connection's response closes,
    // which can come before the upstream answer ends.
    log.OriginContentSize += chunk.length;
    if (this.#countDownstream) log.DownstreamContentSize += chunk.length;
    const res = this.exchange.res;
    if (!res.write(chunk)) {
      controller.pause();
      this.#resume ??= () => controller.resume();
      res.once('drain', this.#resume);
    }
  }

  onResponseEnd(_controller: Dispatcher.DispatchController, trailers: IncomingHttpHeaders): void {
    const exchange = this.exchange;
    exchange.log.originEnd = process.hrtime.bigint();
    exchange.cancelOnClientGone(undefined);
    // Trailers (gRPC's grpc-status) reach a client on HTTP/2 or a chunked HTTP/1.1 answer, as in Go's proxy.
    if (hasTrailers(trailers)) exchange.res.addTrailers(trailers as Record<string, string | string[]>);
    exchange.res.end();
    this.#done();
  }

  onResponseError(_controller: Dispatcher.DispatchController | null, error: Error): void {
    const exchange = this.exchange;
    exchange.cancelOnClientGone(undefined);
    if (this.#status === 0) {
      fail(exchange, error, this.#options);
    } else {
      // Headers are out: all that is left is to cut the connection so the client sees a truncated body.
      exchange.log.originEnd ??= process.hrtime.bigint();
      exchange.res.destroy();
      if (!exchange.clientGone && !(error instanceof ClientClosedError))
        this.#options.onError?.(error, this.#status);
    }
    this.#done();
  }
}

/**
 * The client's body as undici reads it. undici destroys the body stream it was given when the upload ends
 * early (the upstream answered or went away), and destroying an unfinished `IncomingMessage` destroys the
 * client's socket, which resets the connection before the answer is read. undici gets a stream of its own;
 * the client connection stays the entrypoint's to drain (entrypoints/lingering-close.ts).
 */
function uploadOf(req: IncomingMessage): Readable {
  const upload = new PassThrough();
  req.pipe(upload);
  req.once('close', () => {
    if (!req.complete) upload.destroy(new ClientClosedError());
  });
  return upload;
}

function fail(exchange: Exchange, error: unknown, options: ForwardOptions): void {
  exchange.log.originEnd = process.hrtime.bigint();
  exchange.log.upstreamError = errorCode(error) ?? (error instanceof Error ? error.name : 'Error');
  const status = upstreamErrorStatus(error, exchange.clientGone || error instanceof ClientClosedError);
  if (status === 499) {
    // Nobody is listening; record the status for the access log.
    exchange.res.statusCode = 499;
    exchange.res.destroy();
    return;
  }
  options.onError?.(error, status);
  if (!exchange.req.complete) {
    // The request body was not fully read: close the connection instead of leaving it half-read.
    exchange.res.shouldKeepAlive = false;
  }
  exchange.sendText(status, statusText(status));
}

function contentLength(exchange: Exchange): number {
  const value = exchange.headers['content-length']?.[0];
  return value === undefined ? 0 : Number(value);
}

/**
 * undici takes the TLS server name from the Host header (the client's, with passHostHeader) and reconnects
 * whenever it changes; a fixed one keeps connections, and the pool's connector sets the real name
 * (services/pools.ts). undici reads `servername` although its DispatchOptions type does not list it.
 */
function serverNameOf(upstream: Upstream): { servername: string } {
  return { servername: upstream.url.hostname };
}

/** The path and query sent upstream. Go's proxy turns `;` in the query into `&`. */
export function upstreamPath(exchange: Pick<Exchange, 'path' | 'rawQuery'>, upstream: Upstream): string {
  let path = exchange.path === '' ? '/' : exchange.path;
  if (upstream.preservePath) {
    const base = upstream.url.pathname.replace(/\/$/, '');
    path = base + (exchange.path.startsWith('/') ? exchange.path : `/${exchange.path}`);
  }
  return exchange.rawQuery === '' ? path : `${path}?${exchange.rawQuery.replaceAll(';', '&')}`;
}

/** Removed from every proxied request besides the hop-by-hop headers: undici refuses `expect` (the entrypoint
 * has already answered `100-continue`), and `host` is set below. */
const requestDrop: HeaderNameSet = new Set([...proxyHopHeaders, 'expect', 'host']);

/** The headers sent upstream: the request's without hop-by-hop ones, X-Forwarded-For extended, and Host. */
export function requestHeaders(
  exchange: Pick<Exchange, 'headers' | 'remoteAddr' | 'host'>,
  upstream: Upstream,
  options: ForwardOptions,
): Record<string, string | string[]> {
  const out = outgoingRequestHeaders(exchange.headers, requestDrop);
  const forwardedFor = exchange.headers['x-forwarded-for'];
  // An explicitly emptied X-Forwarded-For (headers middleware) means "send none", as in Traefik.
  if (forwardedFor === undefined || forwardedFor.length > 0) {
    const prior = forwardedFor?.join(', ');
    out['x-forwarded-for'] = prior ? `${prior}, ${exchange.remoteAddr}` : exchange.remoteAddr;
  }
  out.host = options.passHostHeader && exchange.host !== '' ? exchange.host : upstream.url.host;
  // TE is hop-by-hop, but `TE: trailers` says the client takes trailers (gRPC needs it): Go's proxy keeps it.
  if (exchange.headers.te?.some(acceptsTrailers)) out.te = 'trailers';
  return out;
}

function acceptsTrailers(value: string): boolean {
  return value.split(',').some((token) => token.trim().toLowerCase() === 'trailers');
}

function hasTrailers(trailers: IncomingHttpHeaders | undefined): boolean {
  if (trailers === undefined) return false;
  for (const _ in trailers) return true;
  return false;
}
