/**
 * `redirectScheme` (Traefik §2.7): redirects to another scheme (and port). The current scheme is `https` on TLS
 * connections, overridden by `X-Forwarded-Proto`; a request already at the target URL passes through.
 */

import type { RedirectSchemeConfig } from '../config/dynamic-schema.ts';
import { firstValue } from '../http/headers.ts';
import type { Middleware } from './types.ts';

/** Builds a redirectScheme middleware. */
export function redirectScheme(options: RedirectSchemeConfig): Middleware {
  const scheme = options.scheme.toLowerCase();
  const port = options.port ?? '';
  return (next) => async (exchange) => {
    const forwardedProto = firstValue(exchange.headers, 'x-forwarded-proto')?.toLowerCase();
    let current = exchange.tls ? 'https' : 'http';
    if (forwardedProto === 'https' || forwardedProto === 'wss') current = 'https';
    else if (forwardedProto === 'http' || forwardedProto === 'ws') current = 'http';

    const { hostname, port: currentPort } = splitHostPort(exchange.host);
    const targetPort = port !== '' ? port : scheme === current ? currentPort : '';
    const omitPort =
      targetPort === '' ||
      (scheme === 'http' && targetPort === '80') ||
      (scheme === 'https' && targetPort === '443');
    const authority = omitPort ? hostname : `${hostname}:${targetPort}`;
    const target = `${scheme}://${authority}${exchange.requestUri()}`;
    const currentUrl = `${current}://${exchange.host}${exchange.requestUri()}`;
    if (target === currentUrl) return next(exchange);

    const get = exchange.method === 'GET';
    const status = options.permanent ? (get ? 301 : 308) : get ? 302 : 307;
    exchange.sendText(status, statusText(status), { location: target });
  };
}

const statusText = (status: number): string =>
  ({ 301: 'Moved Permanently', 302: 'Found', 307: 'Temporary Redirect', 308: 'Permanent Redirect' })[
    status
  ] ?? '';

function splitHostPort(host: string): { hostname: string; port: string } {
  const match = /^(\[[^\]]*\]|[^:]*)(?::(\d*))?$/.exec(host);
  return { hostname: match?.[1] ?? host, port: match?.[2] ?? '' };
}
