/**
 * Sending one request down the chain more than once (buffering's retryExpression, retry): the middlewares
 * further in change the request as they pass (stripPrefix the path, headers the headers), so each attempt
 * starts from the request as it was, and the body is replayed from memory.
 */

import type { Exchange } from '../http/exchange.ts';

/** The parts of an exchange's request that middlewares change. */
export interface RequestState {
  readonly method: string;
  readonly host: string;
  readonly path: string;
  readonly rawQuery: string;
  readonly headers: Readonly<Record<string, readonly string[]>>;
}

/** A copy of the request as it is now. */
export function saveRequest(exchange: Exchange): RequestState {
  const headers: Record<string, string[]> = {};
  for (const [name, values] of Object.entries(exchange.headers)) {
    Object.defineProperty(headers, name, {
      value: [...values],
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return {
    method: exchange.method,
    host: exchange.host,
    path: exchange.path,
    rawQuery: exchange.rawQuery,
    headers,
  };
}

/** Puts the request back as it was saved. */
export function restoreRequest(exchange: Exchange, state: RequestState): void {
  exchange.method = state.method;
  exchange.host = state.host;
  exchange.path = state.path;
  exchange.rawQuery = state.rawQuery;
  const headers = exchange.headers;
  for (const name of Object.keys(headers)) delete headers[name];
  for (const [name, values] of Object.entries(state.headers)) {
    // A `__proto__` header is an own property of the map, never its prototype.
    Object.defineProperty(headers, name, {
      value: [...values],
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
}

/** True when the request has a body to send (a Content-Length above 0, or chunked). */
export function hasBody(exchange: Exchange): boolean {
  if (exchange.headers['transfer-encoding'] !== undefined) return true;
  const length = Number(exchange.headers['content-length']?.[0] ?? 0);
  return length > 0;
}
