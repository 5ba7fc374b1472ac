/**
 * `grpcWeb` (Traefik, after improbable-eng/grpc-web as Traefik vendors it, with rs/cors v1.7 for CORS): lets
 * browsers call gRPC services. A gRPC-Web request (POST, `application/grpc-web...`) goes on as gRPC: its
 * Content-Type becomes `application/grpc...`, a `-text` body is base64-decoded, `TE: trailers` is added (the
 * service must speak HTTP/2: `h2c://` or `https://` servers). The answer goes back as gRPC-Web: Content-Type
 * `application/grpc-web...`, every response header named in `Access-Control-Expose-Headers` (with
 * grpc-status and grpc-message), and the gRPC trailers as a final frame in the body (flag 0x80, length, then
 * `name: value\r\n` lines, lower case, sorted); `-text` answers are base64, one padded part per chunk.
 *
 * CORS: an `OPTIONS` preflight naming `x-grpc-web` in Access-Control-Request-Headers is answered here with 200
 * and, for an origin in `allowOrigins` (`*`: any) and a GET/POST/HEAD method, Allow-Origin (the origin),
 * Allow-Methods, Allow-Headers (those asked), Allow-Credentials and Max-Age 600; a gRPC-Web request from such
 * an origin gets Allow-Origin and Allow-Credentials. Other requests pass through untouched.
 *
 * Difference: a `-text` request body is decoded in memory (at most 16 MiB, else 413); Traefik streams it.
 */

import type { OutgoingHttpHeaders } from 'node:http';
import type { GrpcWebConfig } from '../config/dynamic-schema.ts';
import type { Exchange } from '../http/exchange.ts';
import { canonicalHeaderName, firstValue } from '../http/headers.ts';
import { interceptResponse, type ResponseInterceptor, type ResponseSink } from './response-interceptor.ts';
import type { Middleware } from './types.ts';

const grpc = 'application/grpc';
const grpcWeb = 'application/grpc-web';
const grpcWebText = 'application/grpc-web-text';
const maxTextBody = 16 * 1024 * 1024;
const corsMethods = new Set(['GET', 'POST', 'HEAD']);

/** Builds a grpcWeb middleware. */
export function grpcWebMiddleware(options: GrpcWebConfig): Middleware {
  const origins = new Set(options.allowOrigins);
  const allowed = (origin: string) => origins.has('*') || origins.has(origin);

  return (next) => async (exchange) => {
    const contentType = firstValue(exchange.headers, 'content-type') ?? '';
    const isWeb = exchange.method === 'POST' && contentType.startsWith(grpcWeb);
    const preflight =
      exchange.method === 'OPTIONS' &&
      (firstValue(exchange.headers, 'access-control-request-headers') ?? '')
        .toLowerCase()
        .includes('x-grpc-web');
    if (!isWeb && !preflight) return next(exchange);

    const origin = firstValue(exchange.headers, 'origin') ?? '';
    const requestedMethod = firstValue(exchange.headers, 'access-control-request-method');
    if (exchange.method === 'OPTIONS' && requestedMethod !== undefined && requestedMethod !== '') {
      exchange.send(200, '', preflightHeaders(origin, requestedMethod, exchange, allowed));
      return;
    }

    const cors: OutgoingHttpHeaders = { vary: 'Origin' };
    if (
      origin !== '' &&
      allowed(origin) &&
      (exchange.method === 'OPTIONS' || corsMethods.has(exchange.method))
    ) {
      cors['access-control-allow-origin'] = origin;
      cors['access-control-allow-credentials'] = 'true';
    }
    const text = contentType.startsWith(grpcWebText);
    if (text) {
      const body = await exchange.readBody(maxTextBody);
      if (body === undefined) {
        exchange.sendText(413, 'request body too large\n');
        return;
      }
      exchange.bufferedBody = Buffer.from(body.toString('latin1'), 'base64');
      exchange.headers['content-length'] = [String(exchange.bufferedBody.length)];
      delete exchange.headers['transfer-encoding'];
    }
    exchange.headers['content-type'] = [contentType.replace(text ? grpcWebText : grpcWeb, grpc)];
    exchange.headers.te = ['trailers'];
    const response = new WebResponse(text, cors);
    interceptResponse(exchange, (sink) => response.attach(sink));
    captureTrailers(exchange, response);
    return next(exchange);
  };
}

/** rs/cors' answer to a preflight: CORS headers only for an allowed origin and method. */
function preflightHeaders(
  origin: string,
  method: string,
  exchange: Exchange,
  allowed: (origin: string) => boolean,
): OutgoingHttpHeaders {
  const headers: OutgoingHttpHeaders = {
    vary: 'Origin, Access-Control-Request-Method, Access-Control-Request-Headers',
  };
  const upper = method.toUpperCase();
  if (origin === '' || !allowed(origin) || !(upper === 'OPTIONS' || corsMethods.has(upper))) return headers;
  headers['access-control-allow-origin'] = origin;
  headers['access-control-allow-methods'] = upper;
  const asked = (firstValue(exchange.headers, 'access-control-request-headers') ?? '')
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '')
    .map(canonicalHeaderName);
  if (asked.length > 0) headers['access-control-allow-headers'] = asked.join(', ');
  headers['access-control-allow-credentials'] = 'true';
  headers['access-control-max-age'] = '600';
  return headers;
}

/** The proxy hands the upstream's trailers to `res.addTrailers`: here they become the last frame instead. */
function captureTrailers(exchange: Exchange, response: WebResponse): void {
  exchange.res.addTrailers = (trailers) => {
    response.trailers(trailers as Record<string, string | string[] | undefined>);
  };
}

/** One gRPC answer on its way back as gRPC-Web. */
class WebResponse implements ResponseInterceptor {
  readonly #text: boolean;
  readonly #cors: OutgoingHttpHeaders;
  #sink: ResponseSink | undefined;
  #trailers: [string, string][] = [];

  constructor(text: boolean, cors: OutgoingHttpHeaders) {
    this.#text = text;
    this.#cors = cors;
  }

  attach(sink: ResponseSink): this {
    this.#sink = sink;
    return this;
  }

  trailers(trailers: Record<string, string | string[] | undefined>): void {
    for (const [name, value] of Object.entries(trailers)) {
      if (value === undefined) continue;
      for (const one of Array.isArray(value) ? value : [value])
        this.#trailers.push([name.toLowerCase(), one]);
    }
  }

  writeHead(status: number, headers: OutgoingHttpHeaders): void {
    const out: OutgoingHttpHeaders = { ...this.#cors };
    for (const [name, value] of Object.entries(headers)) {
      const lower = name.toLowerCase();
      // The body gains a trailer frame (and base64): its length is no longer the upstream's.
      if (lower === 'trailer' || lower === 'content-length' || value === undefined) continue;
      out[lower] =
        lower === 'content-type' ? String(value).replace(grpc, this.#text ? grpcWebText : grpcWeb) : value;
    }
    const exposed = [...Object.keys(out).map(canonicalHeaderName), 'grpc-status', 'grpc-message'];
    out['access-control-expose-headers'] = exposed.join(', ');
    this.#sink?.writeHead(status, out);
  }

  write(chunk: Buffer): boolean {
    return this.#sink?.write(this.#encode(chunk)) ?? true;
  }

  end(chunk: Buffer | undefined): void {
    const sink = this.#sink;
    if (sink === undefined) return;
    if (chunk !== undefined && chunk.length > 0) sink.write(this.#encode(chunk));
    if (this.#trailers.length === 0) {
      sink.end();
      return;
    }
    // Go's Header.Write: sorted by name, one line per value.
    const lines = this.#trailers
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([name, value]) => `${name}: ${value.replace(/[\r\n]+/g, ' ')}\r\n`)
      .join('');
    const payload = Buffer.from(lines, 'latin1');
    const frame = Buffer.alloc(5 + payload.length);
    frame[0] = 0x80;
    frame.writeUInt32BE(payload.length, 1);
    payload.copy(frame, 5);
    sink.end(this.#encode(frame));
  }

  #encode(chunk: Buffer): Buffer {
    return this.#text ? Buffer.from(chunk.toString('base64'), 'latin1') : chunk;
  }
}
