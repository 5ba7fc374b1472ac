/**
 * Sticky sessions (Traefik's `sticky.cookie`, `pkg/server/service/loadbalancer/sticky.go`): the first answer
 * sets a cookie naming the member that served it (the first 16 hex digits of the SHA-256 of the server URL, or
 * of the service name in a weighted service); a later request carrying it goes to that member while it is up,
 * else to the next one, and the cookie is rewritten. The raw member name is accepted too, as Traefik does.
 */

import { createHash } from 'node:crypto';
import type { OutgoingHttpHeaders } from 'node:http';
import type { StickyConfig } from '../config/services-schema.ts';
import type { Exchange } from '../http/exchange.ts';

type CookieConfig = NonNullable<StickyConfig['cookie']>;

/** The cookie of one sticky balancer. */
export class StickyCookie {
  /** The cookie name (given, sanitised, or derived from the service name). */
  readonly name: string;
  readonly #attributes: string;
  /** Member key by cookie value. */
  readonly #byValue = new Map<string, string>();
  /** Cookie value by member key. */
  readonly #valueOf = new Map<string, string>();

  constructor(config: CookieConfig, service: string, members: readonly string[]) {
    this.name = cookieName(config.name, service);
    this.#attributes = cookieAttributes(config);
    for (const member of members) {
      const value = hashName(member);
      this.#valueOf.set(member, value);
      this.#byValue.set(value, member);
      if (!this.#byValue.has(member)) this.#byValue.set(member, member);
    }
  }

  /** The member the request's cookie names, if any; `fresh` is false when the value is an old form to rewrite. */
  pinned(exchange: Exchange): { member: string; fresh: boolean } | undefined {
    const value = readCookie(exchange.headers.cookie, this.name);
    if (value === undefined) return undefined;
    const member = this.#byValue.get(value);
    return member === undefined ? undefined : { member, fresh: this.#valueOf.get(member) === value };
  }

  /** Sets the cookie naming `member` on the response. */
  pin(exchange: Exchange, member: string): void {
    const line = `${this.name}=${this.#valueOf.get(member) ?? hashName(member)}${this.#attributes}`;
    exchange.onResponseHeaders((head) => appendSetCookie(head.headers, line));
  }
}

/** Traefik's cookie name: the configured one with characters outside a cookie token replaced by `_`, or `_` and
 * the first 5 hex digits of SHA-1("_TRAEFIK_BACKEND_" + service). */
export function cookieName(configured: string | undefined, service: string): string {
  if (configured !== undefined && configured !== '')
    return configured.replace(/[^A-Za-z0-9!#$%&'*+\-.^`|~]/gu, '_');
  return `_${createHash('sha1').update(`_TRAEFIK_BACKEND_${service}`).digest('hex')}`.slice(0, 6);
}

/** The value naming a member: the first 16 hex digits of its SHA-256. */
export function hashName(member: string): string {
  return createHash('sha256').update(member).digest('hex').slice(0, 16);
}

/** `; Path=/; Domain=…; Expires=…; Max-Age=…; HttpOnly; Secure; SameSite=…` in Go's `http.Cookie` order. */
function cookieAttributes(config: CookieConfig): string {
  let out = '';
  if (config.path !== '') out += `; Path=${config.path}`;
  if (config.domain !== '') out += `; Domain=${config.domain.replace(/^\./, '')}`;
  if (config.expires > 0) out += `; Expires=${new Date(Date.now() + config.expires * 1000).toUTCString()}`;
  if (config.maxAge > 0) out += `; Max-Age=${config.maxAge}`;
  else if (config.maxAge < 0) out += '; Max-Age=0';
  if (config.httpOnly) out += '; HttpOnly';
  if (config.secure) out += '; Secure';
  const sameSite = config.sameSite.toLowerCase();
  if (sameSite === 'none') out += '; SameSite=None';
  else if (sameSite === 'lax') out += '; SameSite=Lax';
  else if (sameSite === 'strict') out += '; SameSite=Strict';
  return out;
}

function readCookie(lines: readonly string[] | undefined, name: string): string | undefined {
  if (lines === undefined) return undefined;
  for (const line of lines) {
    for (const pair of line.split(';')) {
      const eq = pair.indexOf('=');
      if (eq === -1 || pair.slice(0, eq).trim() !== name) continue;
      const value = pair.slice(eq + 1).trim();
      return value.length >= 2 && value.startsWith('"') && value.endsWith('"') ? value.slice(1, -1) : value;
    }
  }
  return undefined;
}

function appendSetCookie(headers: OutgoingHttpHeaders, line: string): void {
  const existing = headers['set-cookie'];
  if (existing === undefined) headers['set-cookie'] = line;
  else headers['set-cookie'] = [...(Array.isArray(existing) ? existing : [String(existing)]), line];
}
