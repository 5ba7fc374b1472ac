/**
 * The request path of every entrypoint after its forwarded-headers step: internal routes (ping, API) first, as
 * Traefik gives them the highest priority, then the current runtime's router table for this entrypoint.
 * No route → 404 `404 page not found\n`; a path that cannot be decoded → 400. Headers the client lists in
 * `Connection` are dropped once the route is chosen, so none set by a middleware can be listed.
 */

import type { Exchange } from '../http/exchange.ts';
import type { Handler } from '../http/handler.ts';
import { dropConnectionListed } from '../http/hop-by-hop.ts';
import type { AccessLog } from '../observability/access-log.ts';
import { routersWithoutAccessLog } from '../observability/access-log-routers.ts';
import type { Logger } from '../observability/logger.ts';
import type { GatewayMetrics } from '../observability/metrics.ts';
import { routingRequestFrom } from '../rules/index.ts';
import type { RuntimeSlot } from './slot.ts';

/** A route the gateway serves itself, e.g. `ping@internal` at `/ping`. */
export interface InternalRoute {
  readonly name: string;
  /** Tested against the request path. */
  readonly matches: (path: string) => boolean;
  readonly handler: Handler;
}

/** What the dispatcher needs. */
export interface DispatchOptions {
  readonly slot: RuntimeSlot;
  /** Internal routes per entrypoint. */
  readonly internalRoutes: ReadonlyMap<string, readonly InternalRoute[]>;
  readonly accessLog: AccessLog | undefined;
  /** Also log requests to internal routes (`accessLog.addInternals`). */
  readonly logInternals: boolean;
  readonly logger: Logger;
  /** Prometheus metrics, when enabled. */
  readonly metrics?: Pick<GatewayMetrics, 'record'> | undefined;
}

/** Go's `http.NotFound`. */
export function notFound(exchange: Exchange): void {
  exchange.sendText(404, '404 page not found\n', { 'x-content-type-options': 'nosniff' });
}

/** Builds the dispatch function of the entrypoints. */
export function createDispatcher(options: DispatchOptions): (exchange: Exchange) => void {
  const { slot, accessLog, logger } = options;

  const fail = (exchange: Exchange, error: unknown) => {
    logger.error({ err: error, router: exchange.log.RouterName }, 'unexpected error while serving a request');
    if (!exchange.res.headersSent) exchange.sendText(500, 'Internal Server Error');
    else exchange.res.destroy();
  };

  const routes = options.internalRoutes;
  return (exchange) => {
    const lease = slot.acquire();
    const internal = exchange.refused
      ? undefined
      : internalRoute(routes.get(exchange.entryPoint), exchange.path);
    const forwardedFor = exchange.headers['x-forwarded-for'];
    exchange.log.ClientHost = forwardedFor ? forwardedFor.join(', ') : exchange.remoteAddr;
    exchange.res.once('close', () => {
      // First: an upstream request still in flight for a client that went away is cancelled.
      exchange.closed();
      slot.release(lease);
      if (
        accessLog &&
        (internal === undefined || options.logInternals) &&
        !routersWithoutAccessLog(lease.runtime.info).has(exchange.log.RouterName ?? '')
      ) {
        accessLog.record(exchange);
      }
      options.metrics?.record(exchange);
    });

    if (exchange.refused) {
      exchange.sendText(400, 'Bad Request');
      return;
    }
    let handler: Handler | undefined;
    if (internal) {
      exchange.log.RouterName = internal.name;
      handler = internal.handler;
    } else {
      let request: ReturnType<typeof routingRequestFrom>;
      try {
        request = routingRequestFrom(exchange);
      } catch (error) {
        if ((error as { code?: unknown }).code === 'ERR_BAD_REQUEST_PATH') {
          exchange.sendText(400, 'Bad Request');
          return;
        }
        fail(exchange, error);
        return;
      }
      const route = lease.runtime.muxers.get(exchange.entryPoint)?.match(request);
      if (route === undefined) {
        notFound(exchange);
        return;
      }
      exchange.log.RouterName = route.name;
      // After matching (rules see the request as sent, as in Traefik), before any middleware sets a header.
      dropConnectionListed(exchange.headers);
      handler = route.handler;
    }
    handler(exchange).catch((error: unknown) => fail(exchange, error));
  };
}

function internalRoute(
  routes: readonly InternalRoute[] | undefined,
  path: string,
): InternalRoute | undefined {
  if (routes === undefined) return undefined;
  for (const route of routes) if (route.matches(path)) return route;
  return undefined;
}
