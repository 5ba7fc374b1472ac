/**
 * `compress` (Traefik): compresses answers with gzip, br or zstd (Node's zlib), chosen from the request's
 * Accept-Encoding by weight, then by the order of `encodings` (default gzip, br, zstd); `*` picks
 * `defaultEncoding` or the first of `encodings`, and so does a request without Accept-Encoding when
 * `defaultEncoding` is set (else it is not compressed). As in Traefik, gzip goes through klauspost's gzhttp,
 * which only compresses when the request names gzip itself.
 *
 * Not compressed: HEAD requests; requests whose Content-Type is excluded (`application/grpc` always is);
 * answers that already have a Content-Encoding (or a Content-Range), an unparsable Content-Type, one in
 * `excludedContentTypes` or not in `includedContentTypes` (the two are mutually exclusive), and bodies shorter
 * than `minResponseBodyBytes` (default 1024; an answer without Content-Length is held until that many bytes
 * have come, or it ends). A compressed answer loses Content-Length (and, with gzip, Accept-Ranges) and gets
 * Content-Encoding; every answer of a chosen encoding gets `Vary: Accept-Encoding`. Compressed data is flushed
 * to the client at least every 100 ms, as Traefik's proxy flushes, so streamed answers keep streaming.
 */

import type { OutgoingHttpHeaders } from 'node:http';
import { constants, createBrotliCompress, createGzip, createZstdCompress } from 'node:zlib';
import type { CompressConfig } from '../config/dynamic-schema.ts';
import { ResourceError } from '../errors.ts';
import type { Exchange } from '../http/exchange.ts';
import { firstValue } from '../http/headers.ts';
import { headerValue, interceptResponse, type ResponseSink } from './response-interceptor.ts';
import type { Middleware } from './types.ts';

/** The encodings Traefik supports. */
export const supportedEncodings = ['gzip', 'br', 'zstd'] as const;
type Encoding = (typeof supportedEncodings)[number];

/** A media type with its parameters (Go's `mime.ParseMediaType`), lower-cased names. */
interface MediaType {
  readonly type: string;
  readonly params: ReadonlyMap<string, string>;
}

const token = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** Go's `mime.ParseMediaType`, enough of it: `type/subtype; name=value; name="quoted"`. Undefined if invalid. */
export function parseMediaType(value: string): MediaType | undefined {
  const [head = '', ...rest] = value.split(';');
  const type = head.trim().toLowerCase();
  const slash = type.indexOf('/');
  if (slash <= 0 || slash === type.length - 1) return undefined;
  if (!token.test(type.slice(0, slash)) || !token.test(type.slice(slash + 1))) return undefined;
  const params = new Map<string, string>();
  for (const part of rest) {
    if (part.trim() === '') continue;
    const equals = part.indexOf('=');
    if (equals === -1) return undefined;
    const name = part.slice(0, equals).trim().toLowerCase();
    let paramValue = part.slice(equals + 1).trim();
    if (!token.test(name)) return undefined;
    if (paramValue.startsWith('"') && paramValue.endsWith('"') && paramValue.length >= 2) {
      paramValue = paramValue.slice(1, -1).replace(/\\(.)/g, '$1');
    } else if (!token.test(paramValue)) return undefined;
    if (params.has(name)) return undefined;
    params.set(name, paramValue);
  }
  return { type, params };
}

/** gzhttp's content-type match: same type, and the configured parameters (if any) exactly. */
function sameMediaType(configured: MediaType, actual: MediaType): boolean {
  if (configured.type !== actual.type) return false;
  if (configured.params.size === 0) return true;
  if (configured.params.size !== actual.params.size) return false;
  for (const [name, value] of configured.params) if (actual.params.get(name) !== value) return false;
  return true;
}

/** Traefik's Accept-Encoding negotiation: the encoding to use, or undefined for none. */
export function negotiate(
  lines: readonly string[] | undefined,
  encodings: readonly Encoding[],
  defaultEncoding: Encoding | undefined,
): Encoding | undefined {
  if (lines === undefined) return defaultEncoding;
  if (lines.length === 1 && lines[0] === '') return undefined;
  const rank = (name: string): number =>
    name === '*' ? -1 : name === 'identity' ? encodings.length : encodings.indexOf(name as Encoding);
  const accepted: { name: string; weight: number }[] = [];
  for (const line of lines) {
    for (const item of line.replaceAll(' ', '').split(',')) {
      const [name = '', param] = item.split(/;(.*)/s, 2);
      if (name !== '*' && name !== 'identity' && !encodings.includes(name as Encoding)) continue;
      let weight = 1;
      if (param?.startsWith('q=')) {
        weight = Number.parseFloat(param.slice(2)) || 0;
        if (weight === 0) continue;
      }
      accepted.push({ name, weight });
    }
  }
  if (accepted.length === 0) return undefined;
  accepted.sort((a, b) => (a.weight === b.weight ? rank(a.name) - rank(b.name) : b.weight - a.weight));
  const best = accepted[0]?.name;
  if (best === '*') return defaultEncoding ?? encodings[0];
  return best === 'identity' ? undefined : (best as Encoding);
}

/** gzhttp's own check that the request accepts gzip (a `gzip` token with a non-zero q). */
function namesGzip(lines: readonly string[] | undefined): boolean {
  for (const line of lines ?? []) {
    for (const item of line.split(',')) {
      const [name = '', ...params] = item.split(';').map((part) => part.trim());
      if (name.toLowerCase() !== 'gzip') continue;
      const q = params.find((p) => p.startsWith('q='));
      if (q === undefined || Number.parseFloat(q.slice(2)) > 0) return true;
    }
  }
  return false;
}

function compressor(encoding: Encoding) {
  switch (encoding) {
    case 'gzip':
      return createGzip();
    case 'br':
      // andybalholm/brotli's default quality; Node's default (11) is several times slower.
      return createBrotliCompress({ params: { [constants.BROTLI_PARAM_QUALITY]: 6 } });
    case 'zstd':
      return createZstdCompress();
  }
}

/** How often compressed data is flushed to the client (Traefik's default `flushInterval`). */
const flushEvery = 100;

/** Builds a compress middleware. Throws {@link ResourceError} for what Traefik refuses. */
export function compress(options: CompressConfig): Middleware {
  if (options.excludedContentTypes.length > 0 && options.includedContentTypes.length > 0) {
    throw new ResourceError('excludedContentTypes and includedContentTypes options are mutually exclusive');
  }
  const parse = (value: string, which: string): MediaType => {
    const parsed = parseMediaType(value);
    if (parsed === undefined)
      throw new ResourceError(`parsing ${which} media type: invalid media type "${value}"`);
    return parsed;
  };
  const excluded = [
    { type: 'application/grpc', params: new Map() },
    ...options.excludedContentTypes.map((v) => parse(v, 'excluded')),
  ];
  const included = options.includedContentTypes.map((v) => parse(v, 'included'));
  const minSize = options.minResponseBodyBytes > 0 ? options.minResponseBodyBytes : 1024;
  if (options.encodings.length === 0) throw new ResourceError('at least one encoding must be specified');
  for (const encoding of options.encodings) {
    if (!supportedEncodings.includes(encoding as Encoding))
      throw new ResourceError(`unsupported encoding: ${encoding}`);
  }
  const encodings = options.encodings as Encoding[];
  const defaultEncoding = options.defaultEncoding === '' ? undefined : (options.defaultEncoding as Encoding);
  if (defaultEncoding !== undefined && !encodings.includes(defaultEncoding)) {
    throw new ResourceError(`unsupported default encoding: ${options.defaultEncoding}`);
  }

  /** Whether an answer with these headers may be compressed at all. */
  const compressible = (headers: OutgoingHttpHeaders): boolean => {
    if (headerValue(headers, 'content-encoding') || headerValue(headers, 'content-range')) return false;
    const contentType = headerValue(headers, 'content-type');
    if (!contentType) return true;
    const media = parseMediaType(contentType);
    if (media === undefined) return false;
    if (included.length > 0 && !included.some((c) => sameMediaType(c, media))) return false;
    return !excluded.some((c) => sameMediaType(c, media));
  };

  return (next) => (exchange) => {
    if (exchange.method === 'HEAD') return next(exchange);
    const requestType = parseMediaType(firstValue(exchange.headers, 'content-type') ?? '');
    if (requestType !== undefined && excluded.some((c) => c.type === requestType.type)) return next(exchange);
    const accept = exchange.headers['accept-encoding'];
    const encoding = negotiate(accept, encodings, defaultEncoding);
    if (encoding === undefined) return next(exchange);
    // gzhttp adds Vary but compresses only for a request that names gzip.
    const active = encoding !== 'gzip' || namesGzip(accept);
    interceptResponse(
      exchange,
      (sink) => new Compression(exchange, sink, encoding, active, minSize, compressible),
    );
    return next(exchange);
  };
}

/** One answer on its way through compress: deciding, passing through, or compressing. */
class Compression {
  readonly #exchange: Exchange;
  readonly #sink: ResponseSink;
  readonly #encoding: Encoding;
  readonly #minSize: number;
  readonly #compressible: (headers: OutgoingHttpHeaders) => boolean;
  #state: 'idle' | 'deciding' | 'plain' | 'compressing';
  #head: { status: number; headers: OutgoingHttpHeaders } | undefined;
  #held: Buffer[] = [];
  #heldBytes = 0;
  #stream: ReturnType<typeof compressor> | undefined;
  #flushTimer: NodeJS.Timeout | undefined;

  constructor(
    exchange: Exchange,
    sink: ResponseSink,
    encoding: Encoding,
    active: boolean,
    minSize: number,
    compressible: (headers: OutgoingHttpHeaders) => boolean,
  ) {
    this.#exchange = exchange;
    this.#sink = sink;
    this.#encoding = encoding;
    this.#minSize = minSize;
    this.#compressible = compressible;
    this.#state = active ? 'idle' : 'plain';
  }

  writeHead(status: number, headers: OutgoingHttpHeaders): void {
    addVary(headers);
    if (this.#state !== 'idle' || status < 200 || status === 204 || status === 304) {
      this.#state = 'plain';
      this.#sink.writeHead(status, headers);
      return;
    }
    const length = Number(headerValue(headers, 'content-length') ?? Number.NaN);
    if (!this.#compressible(headers) || length < this.#minSize) {
      this.#state = 'plain';
      this.#sink.writeHead(status, headers);
    } else if (length >= this.#minSize) {
      this.#head = { status, headers };
      this.#startCompressing();
    } else {
      this.#head = { status, headers };
      this.#state = 'deciding';
    }
  }

  write(chunk: Buffer): boolean {
    switch (this.#state) {
      case 'deciding':
        this.#held.push(chunk);
        this.#heldBytes += chunk.length;
        if (this.#heldBytes >= this.#minSize) return this.#startCompressing();
        return true;
      case 'compressing':
        return this.#compress(chunk);
      default:
        return this.#sink.write(chunk);
    }
  }

  end(chunk: Buffer | undefined): void {
    if (chunk !== undefined && chunk.length > 0) this.write(chunk);
    if (this.#state === 'deciding') {
      // Never reached minSize: sent as it came.
      const head = this.#head;
      this.#state = 'plain';
      if (head) this.#sink.writeHead(head.status, head.headers);
      this.#sink.end(this.#held.length > 0 ? Buffer.concat(this.#held) : undefined);
      this.#held = [];
      return;
    }
    if (this.#state === 'compressing' && this.#stream) {
      clearTimeout(this.#flushTimer);
      this.#stream.end();
      return;
    }
    this.#sink.end();
  }

  #startCompressing(): boolean {
    const head = this.#head;
    if (head === undefined) return true;
    const headers = head.headers;
    delete headers['content-length'];
    if (this.#encoding === 'gzip') delete headers['accept-ranges'];
    headers['content-encoding'] = this.#encoding;
    this.#state = 'compressing';
    const stream = compressor(this.#encoding);
    this.#stream = stream;
    const log = this.#exchange.log;
    stream.on('data', (data: Buffer) => {
      log.DownstreamContentSize += data.length;
      this.#sink.write(data);
    });
    stream.once('end', () => this.#sink.end());
    stream.on('drain', () => this.#sink.drained());
    stream.once('error', () => this.#exchange.res.destroy());
    this.#exchange.res.once('close', () => {
      clearTimeout(this.#flushTimer);
      stream.destroy();
    });
    this.#sink.writeHead(head.status, headers);
    const held = this.#held;
    this.#held = [];
    let ok = true;
    for (const chunk of held) ok = this.#compress(chunk) && ok;
    return ok;
  }

  #compress(chunk: Buffer): boolean {
    const stream = this.#stream;
    if (stream === undefined || stream.destroyed) return true;
    // The proxy counted these bytes as sent; what is sent is the compressed data, counted as it comes out.
    this.#exchange.log.DownstreamContentSize -= chunk.length;
    const ok = stream.write(chunk);
    this.#flushTimer ??= setTimeout(() => {
      this.#flushTimer = undefined;
      if (!stream.destroyed && !stream.writableEnded) stream.flush();
    }, flushEvery);
    return ok;
  }
}

/** Adds Accept-Encoding to Vary, first, unless it is there already. */
function addVary(headers: OutgoingHttpHeaders): void {
  const current = (headers as Record<string, string | string[] | number | undefined>).vary;
  const values: string[] = current === undefined ? [] : Array.isArray(current) ? current : [String(current)];
  const named = (value: string) => value.split(',').some((v) => v.trim().toLowerCase() === 'accept-encoding');
  if (values.some(named)) return;
  (headers as Record<string, string | string[]>).vary =
    values.length === 0 ? 'Accept-Encoding' : ['Accept-Encoding', ...values];
}
