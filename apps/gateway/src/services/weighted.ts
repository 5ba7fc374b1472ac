/**
 * The `weighted` service (Traefik's `wrr.go` over services): requests are split between services in
 * proportion to their weights (smooth weighted round robin, so a 3:1 canary split is exact over every 4
 * requests). With `healthCheck: {}` a child whose status goes down leaves the rotation and this service reports
 * itself down once no child is up; without it, children are always picked. `sticky.cookie` pins a client to
 * the child service that first served it.
 */

import type { WeightedConfig } from '../config/services-schema.ts';
import type { Exchange } from '../http/exchange.ts';
import type { ServiceNode } from './node.ts';
import { Rotation } from './rotation.ts';
import { StickyCookie } from './sticky.ts';

/** One child service and its weight. */
export interface WeightedChild {
  /** The name as written in `services[].name`: the sticky cookie hashes it. */
  readonly name: string;
  readonly node: ServiceNode;
  readonly weight: number;
}

interface Picked {
  readonly name: string;
  readonly node: ServiceNode;
}

/** Builds a weighted service; `service` is its qualified name (the sticky cookie's default name uses it). */
export function weighted(
  config: WeightedConfig,
  children: readonly WeightedChild[],
  service: string,
): ServiceNode {
  const rotation = new Rotation<Picked>(
    children.map((child) => ({
      key: child.name,
      item: { name: child.name, node: child.node },
      weight: child.weight,
    })),
  );
  if (config.healthCheck !== undefined) {
    for (const child of children) {
      const status = child.node.status;
      if (status === undefined) continue;
      if (!status.up) rotation.setUp(child.name, false);
      status.onChange((up) => rotation.setUp(child.name, up));
    }
  }
  const cookie = config.sticky?.cookie;
  const sticky =
    cookie === undefined
      ? undefined
      : new StickyCookie(
          cookie,
          service,
          children.map((child) => child.name),
        );

  const handle = (exchange: Exchange): Promise<void> => {
    if (sticky !== undefined) {
      const pinned = sticky.pinned(exchange);
      const node = pinned && rotation.upMember(pinned.member)?.node;
      if (pinned && node) {
        if (!pinned.fresh) sticky.pin(exchange, pinned.member);
        return node.handle(exchange);
      }
    }
    const picked = rotation.next();
    if (picked === undefined) {
      exchange.sendText(503, 'no available server\n');
      return Promise.resolve();
    }
    sticky?.pin(exchange, picked.name);
    return picked.node.handle(exchange);
  };

  return {
    handle,
    status: config.healthCheck === undefined ? undefined : rotation.status,
    shadow: (request) => rotation.next()?.node.shadow?.(request),
  };
}
