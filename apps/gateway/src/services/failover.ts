/**
 * The `failover` service (Traefik's `failover.go`): requests go to the main service while it is up and to the
 * fallback while it is down, as the main service's health checks report it; with both down the answer is 503.
 * The fallback's own health counts only with `healthCheck: {}`, which also makes this service report itself up
 * while either of them is.
 */

import type { FailoverConfig } from '../config/services-schema.ts';
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

  return {
    handle: (exchange) => {
      if (mainUp) return main.handle(exchange);
      if (fallbackUp) return fallback.handle(exchange);
      // Go's http.Error.
      exchange.sendText(503, 'Service Unavailable\n', { 'x-content-type-options': 'nosniff' });
      return Promise.resolve();
    },
    status,
    shadow: (request) => (mainUp ? main : fallback).shadow?.(request),
  };
}
