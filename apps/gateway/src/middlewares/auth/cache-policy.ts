/**
 * How long an auth server's answer may be reused by `cachedForwardAuth`, from the configured lifetimes and
 * what the answer itself says. An answer is never reused when:
 * - it is an error of the gateway's own (the auth server unreachable, an oversized answer): those are not
 *   answers at all and never reach this policy;
 * - `Cache-Control` says `no-store`, `no-cache` or `private`, or `max-age` / `s-maxage` is 0, or `Expires` is
 *   past or unreadable (with no `max-age`);
 * - it sets a cookie (a session being created or refreshed belongs to that one exchange);
 * - it `Vary`s on `*` or on a request header that is not part of the key;
 * - it redirects (`Location`) while `X-Forwarded-Uri` is not part of the key: a login redirect names the page
 *   to come back to, which differs from one request to the next.
 * Otherwise it is reused for `ttl` (a 2xx) or `negativeTtl` (anything else), capped by `s-maxage` / `max-age`
 * / `Expires`, and by half the remaining lifetime of any JWT among the headers copied onto the request (a
 * signed identity assertion such as forward-auth's X-Auth-Assertion), so a cached assertion always reaches the
 * backend with at least half its lifetime left. A reused assertion carries the same `jti` each time.
 */

import type { IncomingHttpHeaders } from 'node:http';

/** What the policy needs to know of the middleware. */
export interface CachePolicy {
  /** Lifetime of a 2xx answer, ms. */
  readonly ttl: number;
  /** Lifetime of any other answer, ms (0: never reused). */
  readonly negativeTtl: number;
  /** The key headers, lower case. */
  readonly key: ReadonlySet<string>;
  /** True for a response header copied onto the request (authResponseHeaders, authResponseHeadersRegex). */
  readonly copied: (name: string) => boolean;
}

/** How long `answer` may be reused, in ms; 0 when it must not be. `nowMs` is the wall clock (`Date.now()`). */
export function cacheLifetime(
  answer: { readonly status: number; readonly headers: IncomingHttpHeaders },
  policy: CachePolicy,
  nowMs: number = Date.now(),
): number {
  const allowed = answer.status >= 200 && answer.status <= 299;
  let lifetime = allowed ? policy.ttl : policy.negativeTtl;
  if (lifetime <= 0) return 0;
  const headers = answer.headers;
  if (headers['set-cookie'] !== undefined) return 0;
  if (headers.location !== undefined && !policy.key.has('x-forwarded-uri')) return 0;
  const vary = joined(headers.vary);
  if (vary !== undefined) {
    for (const token of vary.split(',')) {
      const name = token.trim().toLowerCase();
      if (name !== '' && (name === '*' || !policy.key.has(name))) return 0;
    }
  }

  const directives = cacheControl(joined(headers['cache-control']));
  if (directives.has('no-store') || directives.has('no-cache') || directives.has('private')) return 0;
  const maxAge = seconds(directives.get('s-maxage')) ?? seconds(directives.get('max-age'));
  if (maxAge !== undefined) {
    lifetime = Math.min(lifetime, maxAge * 1000);
  } else if (headers.expires !== undefined) {
    const expires = Date.parse(joined(headers.expires) ?? '');
    if (Number.isNaN(expires)) return 0;
    lifetime = Math.min(lifetime, expires - nowMs);
  }

  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || !policy.copied(name)) continue;
    for (const item of Array.isArray(value) ? value : [value]) {
      const exp = jwtExpiry(item);
      if (exp !== undefined) lifetime = Math.min(lifetime, (exp * 1000 - nowMs) / 2);
    }
  }
  return lifetime > 0 ? lifetime : 0;
}

const joined = (value: string | string[] | undefined): string | undefined =>
  Array.isArray(value) ? value.join(', ') : value;

/** `Cache-Control` directives, lower-case names → value (`''` without one). */
function cacheControl(value: string | undefined): Map<string, string> {
  const directives = new Map<string, string>();
  if (value === undefined) return directives;
  for (const part of value.split(',')) {
    const [name = '', argument = ''] = part.split('=', 2);
    const key = name.trim().toLowerCase();
    if (key !== '') directives.set(key, argument.trim().replace(/^"(.*)"$/, '$1'));
  }
  return directives;
}

/** A delta-seconds value; undefined when absent or not a number (then the directive is ignored). */
function seconds(value: string | undefined): number | undefined {
  if (value === undefined || !/^\d+$/.test(value)) return undefined;
  return Number(value);
}

const jwtShape = /^[A-Za-z0-9_-]+\.([A-Za-z0-9_-]+)\.[A-Za-z0-9_-]*$/;

/** The `exp` of a header value that is a JWT with a numeric `exp`, in seconds; undefined for anything else. */
function jwtExpiry(value: string): number | undefined {
  const payload = jwtShape.exec(value)?.[1];
  if (payload === undefined) return undefined;
  try {
    const claims: unknown = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    const exp = (claims as { exp?: unknown } | null)?.exp;
    return typeof exp === 'number' && Number.isFinite(exp) ? exp : undefined;
  } catch {
    return undefined;
  }
}
