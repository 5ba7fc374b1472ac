/**
 * A built service as the services above it use it: a loadBalancer, weighted, mirroring or failover service,
 * or one of the gateway's own (`api@internal`).
 */

import type { Handler } from '../http/handler.ts';
import type { ShadowRequest } from './mirroring.ts';
import type { ServiceStatus } from './status.ts';

/** One built service. */
export interface ServiceNode {
  /** Serves a request. */
  readonly handle: Handler;
  /**
   * Present when the service reports its health (a loadBalancer with `healthCheck`, a weighted, mirroring or
   * failover service with `healthCheck: {}`): the only services a failover, or a weighted service with
   * `healthCheck`, accept as children, as in Traefik.
   */
  readonly status: ServiceStatus | undefined;
  /** Sends a copy of a request and ignores the answer (a mirroring service's mirrors); undefined: cannot. */
  readonly shadow: ((request: ShadowRequest) => void) | undefined;
}
