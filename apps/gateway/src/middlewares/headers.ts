/**
 * `headers` (Traefik §2.4): custom request and response headers (an empty value removes the header; the `Host`
 * key sets the request's host; `X-Forwarded-For: ""` stops the proxy from adding one), plus the simple security
 * headers (frame options, nosniff, XSS filter, CSP, referrer and permissions policies, HSTS).
 */

import type { OutgoingHttpHeaders } from 'node:http';
import type { HeadersConfig } from '../config/dynamic-schema.ts';
import { ResourceError } from '../errors.ts';
import type { Middleware } from './types.ts';

/** Builds a headers middleware. Throws {@link ResourceError} when nothing is configured, as Traefik does. */
export function headers(options: HeadersConfig): Middleware {
  const requestEdits = Object.entries(options.customRequestHeaders ?? {}).map(([name, value]) => ({
    name: name.toLowerCase(),
    value,
  }));
  const responseEdits = Object.entries(options.customResponseHeaders ?? {}).map(([name, value]) => ({
    name: name.toLowerCase(),
    value,
  }));
  const security = securityHeaders(options);
  const sts = strictTransportSecurity(options);
  if (requestEdits.length === 0 && responseEdits.length === 0 && security.length === 0 && sts === undefined) {
    throw new ResourceError('headers configuration not valid: nothing is configured');
  }
  const forceSts = options.forceSTSHeader === true;

  const editResponse = (responseHeaders: OutgoingHttpHeaders, tls: boolean) => {
    for (const [name, value] of security) responseHeaders[name] = value;
    if (sts !== undefined && (tls || forceSts)) responseHeaders['strict-transport-security'] = sts;
    for (const { name, value } of responseEdits) {
      if (value === '') delete responseHeaders[name];
      else responseHeaders[name] = value;
    }
  };

  return (next) => async (exchange) => {
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
    if (responseEdits.length > 0 || security.length > 0 || sts !== undefined) {
      exchange.onResponseHeaders((head) => editResponse(head.headers, exchange.tls));
    }
    return next(exchange);
  };
}

function securityHeaders(options: HeadersConfig): [string, string][] {
  const out: [string, string][] = [];
  if (options.customFrameOptionsValue) out.push(['x-frame-options', options.customFrameOptionsValue]);
  else if (options.frameDeny) out.push(['x-frame-options', 'DENY']);
  if (options.contentTypeNosniff) out.push(['x-content-type-options', 'nosniff']);
  if (options.customBrowserXSSValue) out.push(['x-xss-protection', options.customBrowserXSSValue]);
  else if (options.browserXssFilter) out.push(['x-xss-protection', '1; mode=block']);
  if (options.contentSecurityPolicy) out.push(['content-security-policy', options.contentSecurityPolicy]);
  if (options.contentSecurityPolicyReportOnly) {
    out.push(['content-security-policy-report-only', options.contentSecurityPolicyReportOnly]);
  }
  if (options.referrerPolicy) out.push(['referrer-policy', options.referrerPolicy]);
  if (options.permissionsPolicy) out.push(['permissions-policy', options.permissionsPolicy]);
  return out;
}

function strictTransportSecurity(options: HeadersConfig): string | undefined {
  if (!options.stsSeconds) return undefined;
  let value = `max-age=${options.stsSeconds}`;
  if (options.stsIncludeSubdomains) value += '; includeSubDomains';
  if (options.stsPreload) value += '; preload';
  return value;
}
