/**
 * Go's `http.Error`, which Traefik's middlewares answer with: the text and a newline, `text/plain;
 * charset=utf-8` and `X-Content-Type-Options: nosniff`. The default text is Go's `http.StatusText`.
 */

import { STATUS_CODES } from 'node:http';
import type { Exchange } from '../http/exchange.ts';

// Where Go's status texts differ from Node's.
const goStatusText: Readonly<Record<number, string>> = {
  413: 'Request Entity Too Large',
  499: 'Client Closed Request',
};

/** Go's `http.StatusText(status)`. */
export function statusText(status: number): string {
  return goStatusText[status] ?? STATUS_CODES[status] ?? '';
}

/** Answers as Go's `http.Error(rw, text, status)` does. */
export function httpError(exchange: Exchange, status: number, text: string = statusText(status)): void {
  exchange.sendText(status, `${text}\n`, { 'x-content-type-options': 'nosniff' });
}
