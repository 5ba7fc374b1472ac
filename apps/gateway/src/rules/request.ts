/**
 * The routing view of a request (Traefik §1.4, §1.5, §1.8): canonical host, routing path and Go-style query,
 * computed once per request and shared by every router's matcher.
 */

import { BadRequestPathError } from '../errors.ts';
import type { RoutingRequest } from './types.ts';

/** What routing reads of an exchange (the entrypoint has already sanitised the path). */
export interface RequestParts {
  readonly method: string;
  /** Go's `req.Host`: the URI authority of an absolute-form target, else the Host header; may carry a port. */
  readonly host: string;
  /** The escaped request path, as received (after sanitizePath). */
  readonly path: string;
  /** The raw query string, without `?`. */
  readonly rawQuery: string;
  /** The peer address, without port. */
  readonly remoteAddr: string;
  /** Lower-case header names, one entry per header line. */
  readonly headers: Readonly<Record<string, readonly string[] | undefined>>;
}

const noValues: readonly string[] = Object.freeze([]);

/**
 * Builds the {@link RoutingRequest} for `parts`. Throws {@link BadRequestPathError} (code
 * `ERR_BAD_REQUEST_PATH`) when the path has a broken percent-encoding; the gateway answers 400.
 */
export function routingRequestFrom(parts: RequestParts): RoutingRequest {
  return new RoutingView(parts);
}

/**
 * A class rather than an object literal with a getter and closures: V8 gives such a literal a new hidden
 * class on each evaluation, allocated in old space and pointing at that request's closures, so every request
 * it saw was kept through the next young-generation collection and promoted (measured: about 2 KB per
 * request, scavenges of 7 ms and more).
 */
class RoutingView implements RoutingRequest {
  readonly method: string;
  readonly host: string;
  readonly path: string;
  readonly remoteAddr: string;
  readonly #parts: RequestParts;
  #query: ReadonlyMap<string, readonly string[]> | undefined;

  constructor(parts: RequestParts) {
    this.path = routingPath(parts.path);
    this.method = parts.method;
    this.host = canonicalHost(parts.host);
    this.remoteAddr = parts.remoteAddr;
    this.#parts = parts;
  }

  // Most rules never look at the query, so it is parsed on first use.
  get query(): ReadonlyMap<string, readonly string[]> {
    this.#query ??= parseQuery(this.#parts.rawQuery);
    return this.#query;
  }

  header(name: string): readonly string[] {
    return this.#parts.headers[name.toLowerCase()] ?? noValues;
  }
}

/** `Example.COM:8080` → `example.com`, `[::1]:80` → `::1` (Traefik's request decorator). */
export function canonicalHost(host: string): string {
  let name = host.trim();
  if (name.startsWith('[')) {
    const close = name.indexOf(']');
    name = close === -1 ? name : name.slice(1, close);
  } else {
    const colon = name.indexOf(':');
    // More than one colon is a bare IPv6 address, which has no port to strip.
    if (colon !== -1 && name.indexOf(':', colon + 1) === -1) name = name.slice(0, colon);
  }
  return name.toLowerCase();
}

/** Percent-encodings that keep their meaning in a path, so they stay encoded in the routing path. */
const reserved = new Set([
  '3A',
  '2F',
  '3F',
  '23',
  '5B',
  '5D',
  '40',
  '21',
  '24',
  '26',
  '27',
  '28',
  '29',
  '2A',
  '2B',
  '2C',
  '3B',
  '3D',
  '25',
]);

const hex = /^[0-9A-Fa-f]{2}$/;
const decoder = new TextDecoder();

/**
 * The path rules see: percent-decoded except for reserved characters, so `PathPrefix(`/foo bar`)` matches
 * `/foo%20bar` while `/a%2Fb` stays one segment (Traefik's `withRoutingPath`).
 */
export function routingPath(escapedPath: string): string {
  if (!escapedPath.includes('%')) return escapedPath;
  let out = '';
  let bytes: number[] = [];
  const flush = () => {
    if (bytes.length > 0) out += decoder.decode(new Uint8Array(bytes));
    bytes = [];
  };
  for (let i = 0; i < escapedPath.length; i++) {
    const char = escapedPath[i] as string;
    if (char !== '%') {
      flush();
      out += char;
      continue;
    }
    const digits = escapedPath.slice(i + 1, i + 3);
    if (!hex.test(digits))
      throw new BadRequestPathError(`invalid percent-encoding in URL path at offset ${i}`);
    const upper = digits.toUpperCase();
    if (reserved.has(upper)) {
      flush();
      out += `%${upper}`;
    } else {
      bytes.push(Number.parseInt(digits, 16));
    }
    i += 2;
  }
  flush();
  return out;
}

/**
 * Go's `url.ParseQuery`: pairs split on `&` only, `+` is a space, a pair containing `;` or a broken
 * percent-encoding is dropped (as Go drops it, reporting an error that routing ignores).
 */
export function parseQuery(rawQuery: string): ReadonlyMap<string, readonly string[]> {
  const query = new Map<string, string[]>();
  if (rawQuery === '') return query;
  for (const pair of rawQuery.split('&')) {
    if (pair === '' || pair.includes(';')) continue;
    const equals = pair.indexOf('=');
    const key = queryUnescape(equals === -1 ? pair : pair.slice(0, equals));
    const value = queryUnescape(equals === -1 ? '' : pair.slice(equals + 1));
    if (key === undefined || value === undefined) continue;
    const values = query.get(key);
    if (values) values.push(value);
    else query.set(key, [value]);
  }
  return query;
}

function queryUnescape(text: string): string | undefined {
  const spaced = text.replaceAll('+', ' ');
  if (!spaced.includes('%')) return spaced;
  if (/%(?![0-9A-Fa-f]{2})/.test(spaced)) return undefined;
  const bytes = Buffer.from(
    spaced.replace(/%([0-9A-Fa-f]{2})/g, (_all, h: string) => String.fromCharCode(Number.parseInt(h, 16))),
    'latin1',
  );
  return decoder.decode(bytes);
}
