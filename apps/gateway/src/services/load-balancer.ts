/**
 * The `loadBalancer` service (Traefik §3): weighted round robin over `servers`, each reached through a
 * keep-alive pool. No server to pick → 503 `no available server\n`.
 */

import type { LoadBalancerConfig } from '../config/dynamic-schema.ts';
import type { Handler } from '../http/handler.ts';
import { type LeasePool, type TransportSettings, upstreamOrigin } from '../http/transport.ts';
import { type ForwardOptions, forward, type Upstream } from '../proxy/forward.ts';
import { WeightedRoundRobin } from './wrr.ts';

/** What a load balancer needs besides its config. */
export interface LoadBalancerDeps {
  /** Gives the keep-alive pool for an origin (the runtime records which pools it holds). */
  readonly lease: LeasePool;
  /** Timeouts of the service's servers transport. */
  readonly timeouts: TransportSettings;
  /** Called with upstream failures worth a log line. */
  readonly onError?: (error: unknown, status: number, upstream: string) => void;
}

/** Builds a load balancer's handler. Pools are leased now, at load time. */
export function loadBalancer(config: LoadBalancerConfig, deps: LoadBalancerDeps): Handler {
  const passHostHeader = config.passHostHeader;
  const servers = config.servers.map((server) => {
    const url = new URL(server.url);
    const pool = deps.lease(upstreamOrigin(url), deps.timeouts);
    const upstream: Upstream = { url, pool, preservePath: server.preservePath === true };
    // Built once per server, not per request.
    const options: ForwardOptions = {
      passHostHeader,
      onError: (error, status) => deps.onError?.(error, status, url.href),
    };
    return { item: { upstream, options }, weight: server.weight ?? 1 };
  });
  const balancer = new WeightedRoundRobin(servers);

  return (exchange) => {
    const picked = balancer.next();
    if (picked === undefined) {
      exchange.sendText(503, 'no available server\n');
      return Promise.resolve();
    }
    return forward(exchange, picked.upstream, picked.options);
  };
}
