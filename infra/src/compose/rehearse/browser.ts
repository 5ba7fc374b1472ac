/**
 * A small browser for the rehearsal's login check. It sends each request where a browser on this machine would
 * reach it (`http://localhost:<published port>`, at the publishing container's address on the bridge, with the
 * Host header the browser sends), keeps cookies as browsers do for `localhost` (by name and path, never by port),
 * and follows redirects across the published ports, so an OpenID Connect login runs as it does for a person:
 * gateway, forward-auth, identity's sign-in pages, and back.
 */

import { request } from 'undici';
import type { Endpoint } from './walkthrough.ts';

/** One answer, with the absolute URL it was asked for. */
export interface Page {
  readonly url: string;
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly text: string;
}

/** A redirect went somewhere the rehearsal cannot reach, or went on too long. */
export class BrowserError extends Error {
  readonly code = 'REHEARSAL_BROWSER';
}

interface Cookie {
  readonly name: string;
  readonly value: string;
  readonly path: string;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/** RFC 6265 §5.1.4: the cookie path is the request path or a prefix of it ending at a `/`. */
function pathMatches(cookiePath: string, requestPath: string): boolean {
  if (requestPath === cookiePath) return true;
  if (!requestPath.startsWith(cookiePath)) return false;
  return cookiePath.endsWith('/') || requestPath[cookiePath.length] === '/';
}

/** RFC 6265 §5.1.4: the default path is the request path up to its last `/`. */
function defaultPath(requestPath: string): string {
  const last = requestPath.lastIndexOf('/');
  return last <= 0 ? '/' : requestPath.slice(0, last);
}

/** Drives requests to published ports with one cookie jar. */
export class RehearsalBrowser {
  readonly #reach: (hostPort: number) => Endpoint;
  readonly #cookies = new Map<string, Cookie>();
  readonly accept: string;

  /** `reach` maps a port published on this machine to where the rehearsal reaches it. */
  constructor(reach: (hostPort: number) => Endpoint) {
    this.#reach = reach;
    this.accept = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';
  }

  /** The names of the cookies the browser would send to `url`. */
  cookiesFor(url: string): string[] {
    const path = new URL(url).pathname;
    return [...this.#cookies.values()].filter((c) => pathMatches(c.path, path)).map((c) => c.name);
  }

  /** One request (no redirect followed); a form body is sent url-encoded, as a browser posts a form. */
  async send(url: string, form?: Readonly<Record<string, string>>): Promise<Page> {
    const target = new URL(url);
    if (target.protocol !== 'http:' || target.hostname !== 'localhost') {
      throw new BrowserError(`${url}: a browser here reaches only http://localhost:<a published port>`);
    }
    const endpoint = this.#reach(Number(target.port || 80));
    const path = `${target.pathname}${target.search}`;
    const cookies = [...this.#cookies.values()].filter((c) => pathMatches(c.path, target.pathname));
    const headers: Record<string, string> = {
      host: endpoint.host,
      accept: this.accept,
      'user-agent': 'Mozilla/5.0 (compose rehearsal)',
    };
    if (cookies.length > 0) headers.cookie = cookies.map((c) => `${c.name}=${c.value}`).join('; ');
    let body: string | undefined;
    if (form !== undefined) {
      body = new URLSearchParams(form).toString();
      headers['content-type'] = 'application/x-www-form-urlencoded';
      headers.origin = target.origin;
    }
    const res = await request(`${endpoint.origin}${path}`, {
      method: form === undefined ? 'GET' : 'POST',
      headers,
      body,
      headersTimeout: 10_000,
      bodyTimeout: 10_000,
    });
    const text = await res.body.text();
    this.#store(res.headers['set-cookie'], target.pathname);
    return { url: target.href, status: res.statusCode, headers: res.headers, text };
  }

  /** Follows redirects from `url` (a 303 after a form post turns into a GET) until an answer that is not one. */
  async follow(url: string, form?: Readonly<Record<string, string>>, limit = 12): Promise<Page[]> {
    const pages: Page[] = [];
    let next: string | undefined = url;
    let body = form;
    while (next !== undefined) {
      if (pages.length >= limit) throw new BrowserError(`more than ${limit} redirects from ${url}`);
      const page = await this.send(next, body);
      pages.push(page);
      body = undefined;
      const location = page.headers.location;
      next =
        REDIRECTS.has(page.status) && typeof location === 'string'
          ? new URL(location, page.url).href
          : undefined;
    }
    return pages;
  }

  #store(header: string | string[] | undefined, requestPath: string): void {
    const lines = header === undefined ? [] : Array.isArray(header) ? header : [header];
    for (const line of lines) {
      const [pair = '', ...attributes] = line.split(';').map((part) => part.trim());
      const eq = pair.indexOf('=');
      if (eq <= 0) continue;
      const name = pair.slice(0, eq);
      const value = pair.slice(eq + 1);
      let path = defaultPath(requestPath);
      let maxAge: number | undefined;
      let expires: number | undefined;
      let secure = false;
      for (const attribute of attributes) {
        const [key = '', ...rest] = attribute.split('=');
        const text = rest.join('=');
        const lower = key.toLowerCase();
        if (lower === 'path' && text.startsWith('/')) path = text;
        else if (lower === 'max-age') maxAge = Number(text);
        else if (lower === 'expires') expires = Date.parse(text);
        else if (lower === 'secure') secure = true;
      }
      // Max-Age wins over Expires (RFC 6265 §5.3).
      const expired = maxAge !== undefined ? maxAge <= 0 : expires !== undefined && expires <= Date.now();
      const key = `${name} ${path}`;
      // Over plain http a browser keeps no Secure cookie.
      if (expired || secure) this.#cookies.delete(key);
      else this.#cookies.set(key, { name, value, path });
    }
  }
}
