/**
 * What a build knows about each resource: its config, status and errors, and who uses it. The admin API
 * serves it in Traefik's shapes (§4) and reload logs count it.
 */

/** Traefik's runtime status of a resource. */
export type ResourceStatus = 'enabled' | 'disabled' | 'warning';

/** Common fields of every resource. */
export interface ResourceInfo {
  /** Qualified name, `name@file`. */
  readonly name: string;
  readonly provider: string;
  /** The file it was defined in. */
  readonly source: string | undefined;
  /** The validated config (canonical field names), or the raw one when it did not validate. */
  config: Record<string, unknown>;
  status: ResourceStatus;
  readonly errors: string[];
}

/** A router's runtime information. */
export interface RouterInfo extends ResourceInfo {
  /** Entrypoints it is attached to. */
  using: string[];
  /** Effective priority (explicit, or the rule's length). */
  priority: number;
}

/** A service's runtime information. */
export interface ServiceInfo extends ResourceInfo {
  readonly usedBy: string[];
  /** Lower-case kind, e.g. `loadbalancer`. */
  type: string | undefined;
  /** A loadBalancer's servers, `UP` or `DOWN` as its health checks last found them. */
  serverStatus?: Record<string, 'UP' | 'DOWN'>;
}

/** A middleware's runtime information. */
export interface MiddlewareInfo extends ResourceInfo {
  readonly usedBy: string[];
  /** Lower-case kind, e.g. `forwardauth`. */
  type: string | undefined;
}

/** Everything a build produced, by qualified name. */
export interface RuntimeInfo {
  readonly routers: Map<string, RouterInfo>;
  readonly services: Map<string, ServiceInfo>;
  readonly middlewares: Map<string, MiddlewareInfo>;
  readonly serversTransports: Map<string, ResourceInfo>;
}

/** Marks a resource disabled with an error. */
export function disable(info: ResourceInfo, error: string): void {
  info.status = 'disabled';
  if (!info.errors.includes(error)) info.errors.push(error);
}
