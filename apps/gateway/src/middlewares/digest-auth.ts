/**
 * `digestAuth` (Traefik, after abbot/go-http-auth as Traefik vendors it): RFC 2617 Digest with MD5 and
 * `qop="auth"`. Users are `name:realm:HA1` (HA1 = MD5 of `name:realm:password`, what `htdigest` writes), from
 * `usersFile` and `users` (inline entries win); only those of the middleware's `realm` (default `traefik`) match.
 *
 * - No or bad credentials: 401 `401 Unauthorized\n`, `WWW-Authenticate: Digest realm, nonce, opaque,
 *   algorithm="MD5", qop="auth"` with a new nonce.
 * - Right credentials on a nonce this middleware did not issue (or forgot: it keeps about 1000), or a nonce
 *   count not above the last one: the same 401 with `stale=true`, so a client retries with the new nonce
 *   without asking its user again. Nonces and the opaque value belong to one build of the middleware: a reload
 *   or another worker process (`workers`) does not know them, and clients go through one stale round.
 * - Accepted: the user is logged as ClientUsername, `headerField` gets the name, `removeHeader` drops
 *   `Authorization`.
 */

import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { DigestAuthConfig } from '../config/dynamic-schema.ts';
import { ResourceError } from '../errors.ts';
import type { Exchange } from '../http/exchange.ts';
import { firstValue } from '../http/headers.ts';
import { usersFileEntries } from './auth/users-file.ts';
import type { Middleware } from './types.ts';

/** Nonces kept; past this plus the tolerance, the least recently used twice the tolerance are dropped. */
const nonceCacheSize = 1000;
const nonceCacheTolerance = 100;

const md5 = (text: string) => createHash('md5').update(text).digest('hex');
const randomKey = () => randomBytes(12).toString('base64');

/** Builds a digestAuth middleware; reads `usersFile` now (relative to the working directory, as Traefik). */
export function digestAuth(options: DigestAuthConfig): Middleware {
  const secrets = loadUsers(options);
  const realm = options.realm === '' ? 'traefik' : options.realm;
  const opaque = randomKey();
  /** Issued nonces and the last nonce count each was used with, least recently used first. */
  const nonces = new Map<string, number>();
  const headerField = options.headerField?.toLowerCase();

  const challenge = (exchange: Exchange, stale: boolean) => {
    if (nonces.size > nonceCacheSize + nonceCacheTolerance) {
      let drop = nonceCacheTolerance * 2;
      for (const nonce of nonces.keys()) {
        if (drop-- === 0) break;
        nonces.delete(nonce);
      }
    }
    const nonce = randomKey();
    nonces.set(nonce, 0);
    const header = `Digest realm="${realm}", nonce="${nonce}", opaque="${opaque}", algorithm="MD5", qop="auth"`;
    exchange.send(401, '401 Unauthorized\n', {
      'content-type': 'text/plain',
      'www-authenticate': stale ? `${header}, stale=true` : header,
    });
  };

  return (next) => (exchange) => {
    const params = digestParams(firstValue(exchange.headers, 'authorization'));
    const outcome = params === undefined ? 'denied' : check(exchange, params);
    if (outcome !== 'ok') {
      // As Traefik: the name a failed attempt gave is logged too.
      const claimed =
        params?.get('username') ??
        (headerField && digestParams(firstValue(exchange.headers, headerField))?.get('username'));
      if (claimed) exchange.log.ClientUsername = claimed;
      challenge(exchange, outcome === 'stale');
      return Promise.resolve();
    }
    const user = params?.get('username') ?? '';
    exchange.log.ClientUsername = user;
    if (headerField !== undefined) exchange.headers[headerField] = [user];
    if (options.removeHeader) delete exchange.headers.authorization;
    return next(exchange);
  };

  function check(exchange: Exchange, params: Map<string, string>): 'ok' | 'denied' | 'stale' {
    const get = (name: string) => params.get(name) ?? '';
    // Clients that leave algorithm out mean MD5 (RFC 2617 §3.2.1).
    if (get('opaque') !== opaque || (params.get('algorithm') ?? 'MD5') !== 'MD5' || get('qop') !== 'auth') {
      return 'denied';
    }
    const uri = get('uri');
    if (uri !== exchange.requestUri() && !isPathPrefix(uri, exchange.path)) return 'denied';
    const ha1 = secrets.get(`${get('username')}:${realm}`) ?? '';
    const ha2 = md5(`${exchange.method}:${uri}`);
    const expected = md5([ha1, get('nonce'), get('nc'), get('cnonce'), get('qop'), ha2].join(':'));
    const given = Buffer.from(get('response'));
    if (ha1 === '' || given.length !== expected.length || !timingSafeEqual(given, Buffer.from(expected))) {
      return 'denied';
    }
    if (!/^[0-9a-fA-F]{1,16}$/.test(get('nc'))) return 'denied';
    const count = Number.parseInt(get('nc'), 16);
    const last = nonces.get(get('nonce'));
    if (last === undefined || (last !== 0 && last >= count)) return 'stale';
    nonces.delete(get('nonce'));
    nonces.set(get('nonce'), count);
    return 'ok';
  }
}

/**
 * go-http-auth accepts a `uri` that is a path prefix of the request's (decoded) path, "for some reason lost in
 * history"; kept, as Traefik's clients may rely on it.
 */
function isPathPrefix(uri: string, requestPath: string): boolean {
  let path: string;
  try {
    path = decodeURIComponent(new URL(uri, 'http://x').pathname);
  } catch {
    return false;
  }
  let decoded: string;
  try {
    decoded = decodeURIComponent(requestPath);
  } catch {
    decoded = requestPath;
  }
  return path.length <= decoded.length && decoded.startsWith(path);
}

/** The parameters of `Digest k=v, k="v", ...`; undefined for another scheme (matched exactly, as Go). */
export function digestParams(header: string | undefined): Map<string, string> | undefined {
  if (header === undefined) return undefined;
  const space = header.indexOf(' ');
  if (space === -1 || header.slice(0, space) !== 'Digest') return undefined;
  const params = new Map<string, string>();
  for (const match of header
    .slice(space + 1)
    .matchAll(/\s*([^=,\s]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^,]*)\s*(?:,|$)/g)) {
    const raw = (match[2] ?? '').trim();
    const value =
      raw.startsWith('"') && raw.endsWith('"') && raw.length >= 2
        ? raw.slice(1, -1).replace(/\\(.)/g, '$1')
        : raw;
    params.set(match[1] ?? '', value);
  }
  return params;
}

/** `users` over `usersFile`, keyed `name:realm`. Throws (disabling the middleware) on a bad entry. */
function loadUsers(options: DigestAuthConfig): Map<string, string> {
  const users = new Map<string, string>();
  const add = (entry: string, field: string) => {
    const parts = entry.split(':');
    if (parts.length !== 3) {
      throw new ResourceError(
        `digestAuth.${field}: an entry must be "name:realm:hash", got "${parts[0]}:..."`,
      );
    }
    users.set(`${parts[0]}:${parts[1]}`, parts[2] ?? '');
  };
  if (options.usersFile !== undefined) {
    for (const entry of usersFileEntries(options.usersFile, 'digestAuth')) add(entry, 'usersFile');
  }
  for (const entry of options.users) add(entry, 'users');
  if (users.size === 0) throw new ResourceError('digestAuth: no users configured');
  return users;
}
