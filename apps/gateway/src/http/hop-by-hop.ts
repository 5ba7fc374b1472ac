/**
 * Hop-by-hop headers: they describe one connection, so a proxy must not pass them on (RFC 9110 §7.6.1).
 * Traefik uses two lists: Go's reverse proxy one for proxied requests and responses, and forwardAuth's own,
 * which keeps `Proxy-Authorization` so an auth server can read it.
 */

import type { HeaderMap } from './headers.ts';

/** Removed by the reverse proxy, both ways (Go's `httputil` list). */
export const proxyHopHeaders: readonly string[] = [
  'connection',
  'proxy-connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
];

/** Removed by forwardAuth from the auth request and from an auth response passed to the client. */
export const authHopHeaders: readonly string[] = [
  'connection',
  'keep-alive',
  'te',
  'trailer',
  'trailers',
  'transfer-encoding',
  'upgrade',
];

type HeaderRecord = Record<string, string | string[] | number | undefined>;

/**
 * Deletes hop-by-hop headers from a header record with lower-case names, including every header that the
 * `Connection` header names.
 */
export function removeHopByHop(headers: HeaderRecord, hopHeaders: readonly string[]): void {
  const connection = headers.connection;
  if (connection !== undefined) {
    const values = Array.isArray(connection) ? connection : [String(connection)];
    for (const value of values) {
      for (const token of value.split(',')) {
        const name = token.trim().toLowerCase();
        if (name !== '') delete headers[name];
      }
    }
  }
  for (const name of hopHeaders) delete headers[name];
}

/**
 * Removes from a client's request the headers its `Connection` header names, and their names from `Connection`
 * (tokens of the fixed lists above and `close` stay: later stages drop those anyway). Run before middlewares:
 * `Connection` speaks for the client's hop only, so a header the gateway sets afterwards, such as the identity
 * an auth middleware vouches for, must not be stripped because the client named it (Traefik strips it).
 */
export function dropConnectionListed(headers: HeaderMap): void {
  const connection = headers.connection;
  if (connection === undefined) return;
  const kept: string[] = [];
  for (const value of connection) {
    for (const token of value.split(',')) {
      const name = token.trim().toLowerCase();
      if (name === '') continue;
      if (name === 'close' || proxyHopHeaders.includes(name) || authHopHeaders.includes(name))
        kept.push(name);
      else delete headers[name];
    }
  }
  if (kept.length > 0) headers.connection = [kept.join(', ')];
  else delete headers.connection;
}
