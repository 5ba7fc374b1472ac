/**
 * What an entrypoint does to every request before routing, in Traefik's order: refuse more than one Host or a
 * malformed one (as Go's server does), refuse a path carrying an encoding `http.encodedCharacters` does not
 * allow, apply `http.aliasHeadersStrategy` and
 * `http.underscoreHeadersStrategy`, clean the path
 * (`http.sanitizePath`, default true), then the `forwardedHeaders` step. A refused request is only marked:
 * the dispatcher answers it with 400, so the access log and metrics count it like any other.
 */

import type { EntryPointConfig } from '../config/static.ts';
import { headerNamePolicy } from '../http/alias-headers.ts';
import { cleanPath } from '../http/clean-path.ts';
import { deniedEncodings } from '../http/encoded-characters.ts';
import type { Exchange } from '../http/exchange.ts';
import { forwardedHeaders } from './forwarded-headers.ts';
import { acceptableHost } from './host-header.ts';

/** Builds the policy of one entrypoint; `serverName` is X-Forwarded-Server. Everything is compiled once. */
export function requestPolicy(
  entryPoint: EntryPointConfig,
  serverName: string,
): (exchange: Exchange) => void {
  const forwarded = forwardedHeaders({
    insecure: entryPoint.forwardedHeaders?.insecure,
    trustedIPs: entryPoint.forwardedHeaders?.trustedIPs,
    serverName,
  });
  const denied = deniedEncodings(entryPoint.http?.encodedCharacters);
  const sanitize = entryPoint.http?.sanitizePath !== false;
  const headerNames = headerNamePolicy({
    alias: entryPoint.http?.aliasHeadersStrategy,
    underscore: entryPoint.http?.underscoreHeadersStrategy,
  });
  return (exchange) => {
    if (
      !acceptableHost(exchange.headers.host) ||
      denied?.(exchange.path) ||
      (headerNames && !headerNames(exchange.headers))
    ) {
      exchange.refused = true;
      return;
    }
    if (sanitize) exchange.path = cleanPath(exchange.path);
    forwarded(exchange);
  };
}
