/**
 * `headers` (Traefik §2.4), in Traefik's order: CORS and custom headers first, then the security checks and
 * headers (Traefik's `unrolled/secure`), then the next handler.
 *
 * - CORS: an `OPTIONS` request with `Origin` and `Access-Control-Request-Method` is a preflight, answered 200
 *   here with the `Access-Control-*` headers and never passed on. Other answers get `Access-Control-Allow-Origin`
 *   (the origin when it is listed or matches a regexp; `*` when listed, or the origin itself with credentials),
 *   `-Allow-Credentials`, `-Expose-Headers` and, with `addVaryHeader`, `Vary: Origin`.
 * - Custom request headers (an empty value removes the header; `Host` sets the request's host;
 *   `X-Forwarded-For: ""` stops the proxy from adding one) and response headers (set over the backend's; empty
 *   removes).
 * - `allowedHosts`: a request whose Host (or first non-empty `hostsProxyHeaders` header) is not listed gets
 *   500 `Bad Host`, unless `isDevelopment`.
 * - Security response headers: frame options, nosniff, XSS filter, CSP (a `$NONCE` in it becomes a fresh
 *   `'nonce-…'` per request), referrer and permissions policies, and, on HTTPS (TLS, or a `sslProxyHeaders`
 *   match) or with `forceSTSHeader`, HSTS and `publicKey` (HPKP, HTTPS only); not with `isDevelopment`.
 */

import { randomBytes } from 'node:crypto';
import type { OutgoingHttpHeaders } from 'node:http';
import type { HeadersConfig } from '../config/dynamic-schema.ts';
import { ResourceError } from '../errors.ts';
import type { Exchange } from '../http/exchange.ts';
import { firstValue } from '../http/headers.ts';
import { compileRe2 } from '../rules/re2.ts';
import { httpError } from './http-error.ts';
import type { Middleware } from './types.ts';

type Edit = { readonly name: string; readonly value: string };

const edits = (map: Readonly<Record<string, string>> | undefined): Edit[] =>
  Object.entries(map ?? {}).map(([name, value]) => ({ name: name.toLowerCase(), value }));

/** Builds a headers middleware. Throws {@link ResourceError} when nothing is configured, as Traefik does. */
export function headers(options: HeadersConfig): Middleware {
  const requestEdits = edits(options.customRequestHeaders);
  const responseEdits = edits(options.customResponseHeaders);
  const cors = corsPolicy(options);
  const secure = securePolicy(options);
  if (requestEdits.length === 0 && responseEdits.length === 0 && cors === undefined && secure === undefined) {
    throw new ResourceError('headers configuration not valid: nothing is configured');
  }

  return (next) => (exchange) => {
    if (cors !== undefined && isPreflight(exchange)) {
      exchange.send(200, '', cors.preflight(exchange));
      return Promise.resolve();
    }
    for (const { name, value } of requestEdits) {
      if (name === 'host') {
        if (value !== '') exchange.host = value;
      } else if (value === '') {
        // Traefik keeps an explicitly emptied X-Forwarded-For as "present but nil": the proxy then adds none.
        if (name === 'x-forwarded-for') exchange.headers[name] = [];
        else delete exchange.headers[name];
      } else {
        exchange.headers[name] = [value];
      }
    }
    // Set before the host check: Traefik's custom and CORS response headers apply to its `Bad Host` answer too;
    // the security headers only to answers that passed it.
    let securityHeaders: readonly (readonly [string, string])[] = [];
    if (responseEdits.length > 0 || cors !== undefined || secure !== undefined) {
      const origin = cors === undefined ? undefined : (firstValue(exchange.headers, 'origin') ?? '');
      exchange.onResponseHeaders((head) => {
        for (const [name, value] of securityHeaders) head.headers[name] = value;
        editResponse(head.headers, responseEdits);
        if (origin !== undefined) cors?.respond(head.headers, origin);
      });
    }
    if (secure !== undefined) {
      if (!secure.hostAllowed(exchange)) {
        httpError(exchange, 500, 'Bad Host');
        return Promise.resolve();
      }
      securityHeaders = secure.headersFor(exchange);
    }
    return next(exchange);
  };
}

function editResponse(headers: OutgoingHttpHeaders, responseEdits: readonly Edit[]): void {
  for (const { name, value } of responseEdits) {
    if (value === '') delete headers[name];
    else headers[name] = value;
  }
}

/** Traefik's preflight test: `OPTIONS` with both `Access-Control-Request-Method` and `Origin`. */
function isPreflight(exchange: Exchange): boolean {
  return (
    exchange.method === 'OPTIONS' &&
    (firstValue(exchange.headers, 'access-control-request-method') ?? '') !== '' &&
    (firstValue(exchange.headers, 'origin') ?? '') !== ''
  );
}

interface CorsPolicy {
  /** The headers of a preflight answer. */
  preflight(exchange: Exchange): OutgoingHttpHeaders;
  /** Adds the CORS headers to another answer. */
  respond(headers: OutgoingHttpHeaders, origin: string): void;
}

function corsPolicy(options: HeadersConfig): CorsPolicy | undefined {
  const credentials = options.accessControlAllowCredentials === true;
  const allowHeaders = options.accessControlAllowHeaders ?? [];
  const allowMethods = options.accessControlAllowMethods ?? [];
  const origins = options.accessControlAllowOriginList ?? [];
  const originRegexps = (options.accessControlAllowOriginListRegex ?? []).map((pattern) =>
    compileRe2(pattern),
  );
  const expose = options.accessControlExposeHeaders ?? [];
  const maxAge = options.accessControlMaxAge;
  const vary = options.addVaryHeader === true;
  const defined =
    credentials ||
    allowHeaders.length > 0 ||
    allowMethods.length > 0 ||
    origins.length > 0 ||
    originRegexps.length > 0 ||
    expose.length > 0 ||
    maxAge !== undefined ||
    vary;
  if (!defined) return undefined;

  // With credentials a browser refuses `*`, so the request's own values are echoed instead.
  const exposeValue =
    expose.length > 0 && !(expose.includes('*') && credentials) ? expose.join(',') : undefined;
  const echoHeaders = allowHeaders.includes('*') && credentials;
  const echoMethod = allowMethods.includes('*') && credentials;

  const matchOrigin = (origin: string): string | undefined => {
    for (const item of origins) {
      if (item === origin) return item;
      if (item === '*') return credentials ? origin : item;
    }
    for (const regexp of originRegexps) if (regexp.test(origin)) return origin;
    return undefined;
  };

  return {
    preflight(exchange) {
      const out: OutgoingHttpHeaders = {};
      if (credentials) out['access-control-allow-credentials'] = 'true';
      if (echoHeaders) {
        const requested = firstValue(exchange.headers, 'access-control-request-headers') ?? '';
        if (requested !== '') out['access-control-allow-headers'] = requested;
      } else if (allowHeaders.length > 0) out['access-control-allow-headers'] = allowHeaders.join(',');
      if (echoMethod) {
        out['access-control-allow-methods'] = firstValue(exchange.headers, 'access-control-request-method');
      } else if (allowMethods.length > 0) out['access-control-allow-methods'] = allowMethods.join(',');
      const allowed = matchOrigin(firstValue(exchange.headers, 'origin') ?? '');
      if (allowed !== undefined) out['access-control-allow-origin'] = allowed;
      if (maxAge !== undefined) out['access-control-max-age'] = String(maxAge);
      if (exposeValue !== undefined) out['access-control-expose-headers'] = exposeValue;
      return out;
    },
    respond(headers, origin) {
      const allowed = matchOrigin(origin);
      if (allowed !== undefined) headers['access-control-allow-origin'] = allowed;
      if (credentials) headers['access-control-allow-credentials'] = 'true';
      if (exposeValue !== undefined) headers['access-control-expose-headers'] = exposeValue;
      if (!vary) return;
      const current = headers.vary;
      const first = Array.isArray(current) ? current[0] : current === undefined ? '' : String(current);
      if (first === 'Origin') return;
      headers.vary = first === '' || first === undefined ? 'Origin' : `${first},Origin`;
    },
  };
}

interface SecurePolicy {
  hostAllowed(exchange: Exchange): boolean;
  headersFor(exchange: Exchange): readonly (readonly [string, string])[];
}

const nonce = '$NONCE';

function securePolicy(options: HeadersConfig): SecurePolicy | undefined {
  const allowedHosts = (options.allowedHosts ?? []).map((host) => host.toLowerCase());
  const proxyHeaders = (options.hostsProxyHeaders ?? []).map((name) => name.toLowerCase());
  const sslProxyHeaders = Object.entries(options.sslProxyHeaders ?? {}).map(
    ([name, value]) => [name.toLowerCase(), value] as const,
  );
  const development = options.isDevelopment === true;
  const stsSeconds = options.stsSeconds;
  const defined =
    allowedHosts.length > 0 ||
    proxyHeaders.length > 0 ||
    sslProxyHeaders.length > 0 ||
    stsSeconds !== undefined ||
    options.stsIncludeSubdomains === true ||
    options.stsPreload === true ||
    options.forceSTSHeader === true ||
    options.frameDeny === true ||
    !!options.customFrameOptionsValue ||
    options.contentTypeNosniff === true ||
    options.browserXssFilter === true ||
    !!options.customBrowserXSSValue ||
    !!options.contentSecurityPolicy ||
    !!options.contentSecurityPolicyReportOnly ||
    !!options.publicKey ||
    !!options.referrerPolicy ||
    !!options.permissionsPolicy ||
    development;
  if (!defined) return undefined;

  // Always sent, in unrolled/secure's order.
  const fixed: [string, string][] = [];
  if (options.customFrameOptionsValue) fixed.push(['x-frame-options', options.customFrameOptionsValue]);
  else if (options.frameDeny) fixed.push(['x-frame-options', 'DENY']);
  if (options.contentTypeNosniff) fixed.push(['x-content-type-options', 'nosniff']);
  if (options.customBrowserXSSValue) fixed.push(['x-xss-protection', options.customBrowserXSSValue]);
  else if (options.browserXssFilter) fixed.push(['x-xss-protection', '1; mode=block']);
  const csp = options.contentSecurityPolicy ?? '';
  const cspReportOnly = options.contentSecurityPolicyReportOnly ?? '';
  const withNonce = csp.includes(nonce) || cspReportOnly.includes(nonce);
  if (csp && !withNonce) fixed.push(['content-security-policy', csp]);
  if (cspReportOnly && !withNonce) fixed.push(['content-security-policy-report-only', cspReportOnly]);
  if (options.referrerPolicy) fixed.push(['referrer-policy', options.referrerPolicy]);
  if (options.permissionsPolicy) fixed.push(['permissions-policy', options.permissionsPolicy]);

  let sts: string | undefined;
  if (stsSeconds !== undefined && stsSeconds !== 0 && !development) {
    sts = `max-age=${stsSeconds}`;
    if (options.stsIncludeSubdomains) sts += '; includeSubDomains';
    if (options.stsPreload) sts += '; preload';
  }
  const forceSts = options.forceSTSHeader === true;
  const publicKey = options.publicKey && !development ? options.publicKey : undefined;
  const checkHost = allowedHosts.length > 0 && !development;

  const isHttps = (exchange: Exchange): boolean =>
    exchange.tls ||
    sslProxyHeaders.some(([name, value]) => (firstValue(exchange.headers, name) ?? '') === value);

  return {
    hostAllowed(exchange) {
      if (!checkHost) return true;
      let host = exchange.host;
      for (const name of proxyHeaders) {
        const value = firstValue(exchange.headers, name);
        if (value) {
          host = value;
          break;
        }
      }
      return allowedHosts.includes(host.toLowerCase());
    },
    headersFor(exchange) {
      if (sts === undefined && publicKey === undefined && !withNonce) return fixed;
      const out: [string, string][] = [];
      const https = isHttps(exchange);
      if (sts !== undefined && (https || forceSts)) out.push(['strict-transport-security', sts]);
      out.push(...fixed);
      if (publicKey !== undefined && https) out.push(['public-key-pins', publicKey]);
      if (withNonce) {
        const value = `'nonce-${randomBytes(16).toString('base64').replace(/=+$/, '')}'`;
        if (csp) out.push(['content-security-policy', csp.replaceAll(nonce, value)]);
        if (cspReportOnly)
          out.push(['content-security-policy-report-only', cspReportOnly.replaceAll(nonce, value)]);
      }
      return out;
    },
  };
}
