/**
 * The `failover` service (Traefik's `failover.go`): requests go to the main service while it is up and to the
 * fallback while it is down, as the main service's health checks report it; with both down the answer is 503.
 * The fallback's own health counts only with `healthCheck: {}`, which also makes this service report itself up
 * while either of them is. With `errors.status` (Traefik 3.7) an answer of the main service in those ranges is
 * dropped and the request replayed to the fallback: its body is read first, up to `errors.maxRequestBodyBytes`
 * (-1: no limit; over it the answer is 413 `Request body too large`).
 */

import type { FailoverConfig } from '../config/services-schema.ts';
import type { Exchange } from '../http/exchange.ts';
import { catchStatus } from '../middlewares/error-pages.ts';
import { parseStatusRanges, type StatusRanges } from '../middlewares/status-ranges.ts';
import type { ServiceNode } from './node.ts';
import { ServiceStatus } from './status.ts';

/** Builds a failover service. `main` must report its status (the builder checks it). */
export function failover(config: FailoverConfig, main: ServiceNode, fallback: ServiceNode): ServiceNode {
  const tracksFallback = config.healthCheck !== undefined;
  let mainUp = main.status?.up ?? true;
  let fallbackUp = tracksFallback ? (fallback.status?.up ?? true) : true;
  const status = tracksFallback ? new ServiceStatus() : undefined;
  const update = () => status?.set(mainUp || fallbackUp);
  update();
  main.status?.onChange((up) => {
    mainUp = up;
    update();
  });
  if (tracksFallback) {
    fallback.status?.onChange((up) => {
      fallbackUp = up;
      update();
    });
  }

  const toFallback = (exchange: Exchange): Promise<void> => {
    if (fallbackUp) return fallback.handle(exchange);
    // Go's http.Error.
    exchange.sendText(503, 'Service Unavailable\n', { 'x-content-type-options': 'nosniff' });
    return Promise.resolve();
  };
  const errors = config.errors;
  // Parsed at load: a range Go cannot parse disables the service.
  const ranges =
    errors === undefined || errors.status.length === 0 ? undefined : parseStatusRanges(errors.status);
  const limit = errors?.maxRequestBodyBytes ?? -1;
  const replaying = async (exchange: Exchange, ranges: StatusRanges): Promise<void> => {
    if (hasBody(exchange) && (await exchange.readBody(limit < 0 ? -1 : limit)) === undefined) {
      exchange.sendText(413, 'Request body too large\n', { 'x-content-type-options': 'nosniff' });
      return;
    }
    const caught = await catchStatus(exchange, main.handle, ranges);
    if (caught !== undefined) await toFallback(exchange);
  };

  return {
    handle: (exchange) => {
      if (!mainUp) return toFallback(exchange);
      return ranges === undefined ? main.handle(exchange) : replaying(exchange, ranges);
    },
    status,
    shadow: (request) => (mainUp ? main : fallback).shadow?.(request),
  };
}

/** Whether the request has a body to keep for a replay. */
function hasBody(exchange: Exchange): boolean {
  const headers = exchange.headers;
  return headers['transfer-encoding'] !== undefined || Number(headers['content-length']?.[0] ?? 0) > 0;
}
