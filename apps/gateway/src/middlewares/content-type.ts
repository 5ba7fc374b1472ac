/**
 * `contentType` (Traefik v3): a response the backend sent without `Content-Type` gets one detected from its
 * first bytes (content-sniff.ts), as Go's HTTP server does once Traefik lets it. Without this middleware the
 * gateway never adds one (Traefik v3's default). As in Go, nothing is detected for a response with a
 * `Content-Encoding` or a `Transfer-Encoding`, a status without a body, or an empty body; the first non-empty
 * chunk is what is looked at (the proxy writes the upstream's chunks as they come, as Go flushes them).
 * `autoDetect: false` (deprecated) leaves responses alone.
 */

import type { OutgoingHttpHeaders } from 'node:http';
import type { ContentTypeConfig } from '../config/content-type-schema.ts';
import { detectContentType } from './content-sniff.ts';
import { interceptResponse, type ResponseInterceptor, type ResponseSink } from './response-interceptor.ts';
import type { Middleware } from './types.ts';

/** Builds a contentType middleware. */
export function contentType(options: ContentTypeConfig): Middleware {
  if (options.autoDetect === false) return (next) => next;
  return (next) => (exchange) => {
    interceptResponse(exchange, (sink) => new Detection(sink));
    return next(exchange);
  };
}

const noBodyStatus = (status: number) => (status >= 100 && status < 200) || status === 204 || status === 304;

const has = (headers: OutgoingHttpHeaders, name: string) =>
  Object.keys(headers).some((key) => key.toLowerCase() === name);

/** One response: its head held until the first byte of body says what it is, when it has no type. */
class Detection implements ResponseInterceptor {
  readonly #sink: ResponseSink;
  #held: { status: number; headers: OutgoingHttpHeaders } | undefined;

  constructor(sink: ResponseSink) {
    this.#sink = sink;
  }

  writeHead(status: number, headers: OutgoingHttpHeaders): void {
    const encoding = Object.entries(headers).find(([key]) => key.toLowerCase() === 'content-encoding')?.[1];
    const sniff =
      !noBodyStatus(status) &&
      !has(headers, 'content-type') &&
      !has(headers, 'transfer-encoding') &&
      (encoding === undefined || String(encoding) === '');
    if (sniff) this.#held = { status, headers };
    else this.#sink.writeHead(status, headers);
  }

  write(chunk: Buffer): boolean {
    if (chunk.length === 0) return true;
    this.#release(chunk);
    return this.#sink.write(chunk);
  }

  end(chunk: Buffer | undefined): void {
    if (chunk !== undefined && chunk.length > 0) this.#release(chunk);
    else this.#release(undefined);
    this.#sink.end(chunk);
  }

  /** Writes the held head, with the type of `first` when there is a body. */
  #release(first: Buffer | undefined): void {
    const held = this.#held;
    if (held === undefined) return;
    this.#held = undefined;
    const headers =
      first === undefined ? held.headers : { ...held.headers, 'content-type': detectContentType(first) };
    this.#sink.writeHead(held.status, headers);
  }
}
