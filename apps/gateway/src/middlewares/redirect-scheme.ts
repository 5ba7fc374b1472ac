/**
 * `redirectScheme` (Traefik §2.7): redirects to another scheme (and port). As in Traefik, the URL the client
 * used (its scheme: `https` on TLS connections, else `http`, overridden by `X-Forwarded-Proto`; the port of its
 * Host, dropped when it is the scheme's default) is compared with the target, which has the configured port
 * or none: a request already there passes through (`http://foo:80/` with `scheme: http, port: "80"`), any
 * other is redirected, a TLS request on `foo:8000` to `https://foo/…` too.
 */

import type { RedirectSchemeConfig } from '../config/dynamic-schema.ts';
import { firstValue } from '../http/headers.ts';
import { statusText } from './http-error.ts';
import type { Middleware } from './types.ts';

/** Builds a redirectScheme middleware. */
export function redirectScheme(options: RedirectSchemeConfig): Middleware {
  const scheme = options.scheme.toLowerCase();
  const port = options.port ?? '';
  const targetPort = port === '' || isDefaultPort(scheme, port) ? '' : `:${port}`;
  return (next) => async (exchange) => {
    const { hostname, port: hostPort } = splitHostPort(exchange.host);
    let current = exchange.tls ? 'https' : 'http';
    // X-Forwarded-Proto may say ws/wss after an upgrade; only http and https make sense here.
    const forwardedProto = firstValue(exchange.headers, 'x-forwarded-proto')?.toLowerCase();
    if (forwardedProto === 'https' || forwardedProto === 'wss') current = 'https';
    else if (forwardedProto === 'http' || forwardedProto === 'ws') current = 'http';

    const currentPort = hostPort === undefined || isDefaultPort(current, hostPort) ? '' : `:${hostPort}`;
    const uri = exchange.requestUri();
    const target = `${scheme}://${hostname}${targetPort}${uri}`;
    if (target === `${current}://${hostname}${currentPort}${uri}`) return next(exchange);

    const get = exchange.method === 'GET';
    const status = options.permanent ? (get ? 301 : 308) : get ? 302 : 307;
    exchange.sendText(status, statusText(status), { location: target });
  };
}

const isDefaultPort = (scheme: string, port: string): boolean =>
  (scheme === 'http' && port === '80') || (scheme === 'https' && port === '443');

function splitHostPort(host: string): { hostname: string; port: string | undefined } {
  const match = /^(\[[^\]]*\]|[^:]*)(?::(\d*))?$/.exec(host);
  return { hostname: match?.[1] ?? host, port: match?.[2] };
}
