/**
 * Hop-by-hop headers: they describe one connection, so a proxy must not pass them on (RFC 9110 §7.6.1).
 * Traefik uses two lists: Go's reverse proxy one for proxied requests and responses, and forwardAuth's own,
 * which keeps `Proxy-Authorization` so an auth server can read it.
 */

import type { OutgoingHttpHeaders } from 'node:http';
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

/** A set of header names (lower case), for one lookup per header on the request path. */
export type HeaderNameSet = ReadonlySet<string>;

/** The names a `Connection` header lists, lower case; undefined when there is no such header. */
function connectionTokens(
  connection: string | readonly string[] | number | undefined,
): Set<string> | undefined {
  if (connection === undefined) return undefined;
  const listed = new Set<string>();
  for (const value of Array.isArray(connection) ? connection : [String(connection)]) {
    for (const token of value.split(',')) {
      const name = token.trim().toLowerCase();
      if (name !== '') listed.add(name);
    }
  }
  return listed;
}

/** Sets `record[name]`; a `__proto__` header becomes a plain property, never the record's prototype. */
export function setHeader<T>(record: Record<string, T>, name: string, value: T): void {
  if (name === '__proto__') {
    Object.defineProperty(record, name, { value, enumerable: true, writable: true, configurable: true });
  } else {
    record[name] = value;
  }
}

/**
 * Request headers as undici takes them (one value as a string, several as an array), in one pass: without the
 * names in `drop`, those the `Connection` header lists, empty entries, and those `keep` refuses.
 */
export function outgoingRequestHeaders(
  headers: HeaderMap,
  drop: HeaderNameSet,
  keep?: (name: string) => boolean,
): Record<string, string | string[]> {
  const listed = connectionTokens(headers.connection);
  const out: Record<string, string | string[]> = {};
  for (const name in headers) {
    if (drop.has(name) || listed?.has(name) || (keep !== undefined && !keep(name))) continue;
    const values = headers[name] as string[];
    if (values.length === 1) setHeader(out, name, values[0] as string);
    else if (values.length > 1) setHeader(out, name, values);
  }
  return out;
}

/**
 * Response headers as Node's `writeHead` takes them, in one pass: without the names in `drop` and those the
 * `Connection` header lists (RFC 9110 §7.6.1).
 */
export function outgoingResponseHeaders(
  headers: Readonly<Record<string, string | string[] | undefined>>,
  drop: HeaderNameSet,
): OutgoingHttpHeaders {
  const listed = connectionTokens(headers.connection);
  const out: OutgoingHttpHeaders = {};
  for (const name of Object.keys(headers)) {
    const value = headers[name];
    if (value === undefined || drop.has(name) || listed?.has(name)) continue;
    setHeader(out, name, value);
  }
  return out;
}

/** {@link proxyHopHeaders} as a set. */
export const proxyHopSet: HeaderNameSet = new Set(proxyHopHeaders);
/** {@link authHopHeaders} as a set. */
export const authHopSet: HeaderNameSet = new Set(authHopHeaders);
