/**
 * Lets a middleware take over what the rest of its chain writes to the client, as Traefik's middlewares wrap
 * Go's `ResponseWriter` (compress, buffering, retry, errors). The proxy and the other handlers write the
 * response through `exchange.writeHead` (after the header hooks) and `exchange.res.write` / `end`; for one
 * exchange, those three methods of its `ServerResponse` are replaced by the interceptor's, which write on
 * through a {@link ResponseSink} (the methods that were there before: an interceptor installed later, by a
 * middleware further in, sees the writes first, as Go's innermost `ResponseWriter` wrapper does).
 *
 * An interceptor may hold the head (then `res.headersSent` stays false and a handler answering itself after
 * an upstream failure writes a new head, which the interceptor sees too), change or swallow chunks, and answer
 * something else. When its `write` returns false it must emit `drain` later (the proxy waits for it).
 */

import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { Exchange } from '../http/exchange.ts';

/** Where an interceptor writes: what the response did before it was installed. */
export interface ResponseSink {
  writeHead(status: number, headers: OutgoingHttpHeaders): void;
  write(chunk: Buffer): boolean;
  end(chunk?: Buffer): void;
  /** Tells the writer above that it may write again (after `write` returned false). */
  drained(): void;
}

/** What replaces the response's `writeHead`, `write` and `end` for one exchange. */
export interface ResponseInterceptor {
  writeHead(status: number, headers: OutgoingHttpHeaders): void;
  write(chunk: Buffer): boolean;
  end(chunk: Buffer | undefined): void;
}

type WriteHead = ServerResponse['writeHead'];
type Write = ServerResponse['write'];
type End = ServerResponse['end'];

const toBuffer = (chunk: unknown): Buffer | undefined => {
  if (chunk === undefined || chunk === null || typeof chunk === 'function') return undefined;
  if (Buffer.isBuffer(chunk)) return chunk;
  if (chunk instanceof Uint8Array) return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  return Buffer.from(String(chunk));
};

/** Headers given to `writeHead` as an object (the exchange's way) or as a raw array. */
function headersOf(args: readonly unknown[]): OutgoingHttpHeaders {
  const headers = args.find((arg) => typeof arg === 'object' && arg !== null) as
    | OutgoingHttpHeaders
    | unknown[]
    | undefined;
  if (headers === undefined) return {};
  if (!Array.isArray(headers)) return headers;
  const out: OutgoingHttpHeaders = {};
  for (let i = 0; i + 1 < headers.length; i += 2)
    out[String(headers[i]).toLowerCase()] = String(headers[i + 1]);
  return out;
}

/**
 * Installs an interceptor on the exchange's response; `make` gets the sink to write through. Returns a
 * function that removes it (the sink's methods are put back).
 */
export function interceptResponse(
  exchange: Exchange,
  make: (sink: ResponseSink) => ResponseInterceptor,
): () => void {
  const res = exchange.res;
  const previous = { writeHead: res.writeHead, write: res.write, end: res.end };
  // The methods as plain functions: the overloads of Node's types do not survive `.call`.
  const writeHead = previous.writeHead as (status: number, headers: OutgoingHttpHeaders) => unknown;
  const write = previous.write as (chunk: Buffer) => boolean;
  const end = previous.end as (chunk?: Buffer) => unknown;
  const sink: ResponseSink = {
    writeHead: (status, headers) => {
      writeHead.call(res, status, headers);
    },
    write: (chunk) => write.call(res, chunk),
    end: (chunk) => {
      if (chunk === undefined) end.call(res);
      else end.call(res, chunk);
    },
    drained: () => res.emit('drain'),
  };
  const interceptor = make(sink);
  res.writeHead = ((status: number, ...args: unknown[]) => {
    interceptor.writeHead(status, headersOf(args));
    return res;
  }) as WriteHead;
  res.write = ((chunk: unknown, ...rest: unknown[]) => {
    const ok = interceptor.write(toBuffer(chunk) ?? Buffer.alloc(0));
    const callback = rest.find((arg) => typeof arg === 'function') as (() => void) | undefined;
    callback?.();
    return ok;
  }) as Write;
  res.end = ((chunk?: unknown, ...rest: unknown[]) => {
    interceptor.end(toBuffer(chunk));
    const callback = [chunk, ...rest].find((arg) => typeof arg === 'function') as (() => void) | undefined;
    if (callback) res.once('finish', callback);
    return res;
  }) as End;
  return () => {
    res.writeHead = previous.writeHead;
    res.write = previous.write;
    res.end = previous.end;
  };
}

/** The first value of a response header, as Go's `Header.Get`. */
export function headerValue(headers: OutgoingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  if (value === undefined) return undefined;
  return Array.isArray(value) ? value[0] : String(value);
}
