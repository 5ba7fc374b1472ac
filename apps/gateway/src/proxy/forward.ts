/**
 * The reverse proxy step: sends an exchange to one upstream server through its keep-alive pool and streams the
 * answer back. Bodies stream both ways (never buffered); hop-by-hop headers are dropped both ways;
 * X-Forwarded-For gets the peer IP appended; failures map to Traefik's statuses (502, 504, 499, 500).
 */

import type { IncomingHttpHeaders, IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { PassThrough, type Readable } from 'node:stream';
import type { Dispatcher, Pool } from 'undici';
import { ClientClosedError, type Exchange } from '../http/exchange.ts';
import { proxyHopHeaders, removeHopByHop } from '../http/hop-by-hop.ts';
import { statusText, upstreamErrorStatus } from './errors.ts';

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
}

/** Proxies `exchange` to `upstream`. Resolves once the response is fully sent or has failed. */
export async function forward(
  exchange: Exchange,
  upstream: Upstream,
  options: ForwardOptions,
): Promise<void> {
  const headers = requestHeaders(exchange, upstream, options);
  const buffered = exchange.bufferedBody;
  const hasBody = exchange.headers['transfer-encoding'] !== undefined || contentLength(exchange) > 0;
  if (buffered !== undefined && hasBody) headers['content-length'] = String(buffered.length);
  const log = exchange.log;
  log.ServiceURL = upstream.url.href;
  log.ServiceAddr = upstream.url.host;
  log.originStart = process.hrtime.bigint();

  let response: Dispatcher.ResponseData;
  try {
    response = await upstream.pool.request({
      method: exchange.method,
      path: upstreamPath(exchange, upstream),
      headers,
      body: hasBody ? (buffered ?? uploadOf(exchange.req)) : null,
      signal: exchange.signal,
    });
  } catch (error) {
    fail(exchange, error, options);
    return;
  }

  log.OriginStatus = response.statusCode;
  log.originHeaders = response.headers;
  exchange.writeHead(response.statusCode, responseHeaders(response.headers));
  // Counted as the bytes pass: the access log is written when the client connection's response closes,
  // which can come before this function resumes.
  const countDownstream = exchange.method !== 'HEAD';
  response.body.on('data', (chunk: Buffer) => {
    log.OriginContentSize += chunk.length;
    if (countDownstream) log.DownstreamContentSize += chunk.length;
  });
  response.body.once('end', () => {
    log.originEnd = process.hrtime.bigint();
  });
  const error = await relay(response.body, exchange.res);
  log.originEnd ??= process.hrtime.bigint();
  if (error !== undefined && !exchange.clientGone) options.onError?.(error, response.statusCode);
}

/**
 * Pipes the upstream body to the client with backpressure; resolves when done, with the upstream error if any.
 * A hand-rolled `pipe` rather than `stream.pipeline`, which allocates an AbortController (and a DOMException)
 * per call: measurable at proxy request rates.
 */
function relay(body: Readable, res: ServerResponse): Promise<Error | undefined> {
  return new Promise((resolve) => {
    const done = (error?: Error) => {
      body.off('error', onError);
      res.off('close', onClose);
      resolve(error);
    };
    const onError = (error: Error) => {
      // Headers are out: all that is left is to cut the connection so the client sees a truncated body.
      res.destroy();
      done(error);
    };
    const onClose = () => {
      if (!res.writableFinished) body.destroy();
      done();
    };
    body.once('error', onError);
    res.once('close', onClose);
    body.pipe(res);
  });
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
  const status = upstreamErrorStatus(error, exchange.clientGone || exchange.signal.aborted);
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

/** The path and query sent upstream. Go's proxy turns `;` in the query into `&`. */
function upstreamPath(exchange: Exchange, upstream: Upstream): string {
  let path = exchange.path === '' ? '/' : exchange.path;
  if (upstream.preservePath) {
    const base = upstream.url.pathname.replace(/\/$/, '');
    path = base + (exchange.path.startsWith('/') ? exchange.path : `/${exchange.path}`);
  }
  return exchange.rawQuery === '' ? path : `${path}?${exchange.rawQuery.replaceAll(';', '&')}`;
}

function requestHeaders(
  exchange: Exchange,
  upstream: Upstream,
  options: ForwardOptions,
): Record<string, string | string[]> {
  // undici wants single values (host, content-length) as strings.
  const out: Record<string, string | string[]> = {};
  for (const [name, values] of Object.entries(exchange.headers)) {
    if (values.length === 1) out[name] = values[0] as string;
    else if (values.length > 1) out[name] = values;
  }
  removeHopByHop(out, proxyHopHeaders);
  // undici refuses `expect`; the entrypoint has already answered `100-continue`.
  delete out.expect;
  delete out.host;
  const forwardedFor = exchange.headers['x-forwarded-for'];
  // An explicitly emptied X-Forwarded-For (headers middleware) means "send none", as in Traefik.
  if (forwardedFor === undefined || forwardedFor.length > 0) {
    const prior = forwardedFor?.join(', ');
    out['x-forwarded-for'] = prior ? `${prior}, ${exchange.remoteAddr}` : exchange.remoteAddr;
  }
  const host = options.passHostHeader && exchange.host !== '' ? exchange.host : upstream.url.host;
  out.host = host;
  return out;
}

function responseHeaders(incoming: IncomingHttpHeaders): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(incoming)) {
    if (value !== undefined) out[name] = value;
  }
  removeHopByHop(out, proxyHopHeaders);
  return out;
}
