/** The entrypoint servers a static configuration declares, not yet listening. */

import { hostname } from 'node:os';
import { parseAddress } from '../config/address.ts';
import type { StaticConfig } from '../config/static.ts';
import type { Exchange } from '../http/exchange.ts';
import type { Logger } from '../observability/logger.ts';
import type { GatewayMetrics } from '../observability/metrics.ts';
import { requestPolicy } from './request-policy.ts';
import { EntryPointServer } from './server.ts';

/** What the servers share. */
export interface EntryPointsDeps {
  /** Serves every prepared exchange (internal routes, then the current runtime). */
  readonly dispatch: (exchange: Exchange) => void;
  /** Counts open connections, when Prometheus metrics are on. */
  readonly metrics: Pick<GatewayMetrics, 'trackConnection'> | undefined;
  readonly logger: Logger;
}

/** One server per declared entrypoint, in declaration order, with Traefik's timeout defaults. */
export function createEntryPoints(config: StaticConfig, deps: EntryPointsDeps): EntryPointServer[] {
  const serverName = hostname();
  return Object.entries(config.entryPoints).map(([name, ep]) => {
    const address = parseAddress(ep.address);
    if (typeof address === 'string') throw new TypeError(`entrypoint ${name}: ${address}`);
    const { metrics, logger } = deps;
    return new EntryPointServer({
      name,
      address,
      graceTimeOut: ep.transport?.lifeCycle?.graceTimeOut ?? 10_000,
      readTimeout: ep.transport?.respondingTimeouts?.readTimeout ?? 60_000,
      idleTimeout: ep.transport?.respondingTimeouts?.idleTimeout ?? 180_000,
      // The certificates are set at start (tls/apply.ts): generating the default one takes a moment.
      tls: ep.http?.tls !== undefined ? {} : undefined,
      maxConcurrentStreams: ep.http2?.maxConcurrentStreams,
      prepare: requestPolicy(ep, serverName),
      dispatch: deps.dispatch,
      onConnection: metrics ? (socket) => metrics.trackConnection(name, socket) : undefined,
      onError: (error) =>
        logger.error({ err: error, entryPoint: name }, 'unexpected error while accepting a request'),
    });
  });
}
