/**
 * The service kinds built over other services (`weighted`, `mirroring`, `failover`), and the health plumbing
 * of a loadBalancer: its servers' status in the API (`serverStatus`), the `traefik_service_server_up` gauge
 * and the log lines of servers leaving and rejoining the rotation.
 */

import type { LoadBalancerConfig, ServiceConfig } from '../config/dynamic-schema.ts';
import { failover } from '../services/failover.ts';
import type { BackgroundTask } from '../services/health-check.ts';
import type { LoadBalancerDeps } from '../services/load-balancer.ts';
import { mirroring } from '../services/mirroring.ts';
import type { ServiceNode } from '../services/node.ts';
import { weighted } from '../services/weighted.ts';
import type { BuildOptions } from './build.ts';
import type { ServiceInfo } from './info.ts';
import { qualify } from './names.ts';

type Built<T> = { ok: true; value: T } | { ok: false; error: string };

/**
 * Builds a weighted, mirroring or failover service; undefined for a loadBalancer. `resolve` builds a service
 * it names (refusing cycles). Throws, with a message naming the child, when a child cannot be used.
 */
export function buildComposite(
  name: string,
  config: ServiceConfig,
  resolve: (reference: string) => Built<ServiceNode>,
  provider: string,
): Built<ServiceNode> | undefined {
  const child = (reference: string, needs: 'status' | 'shadow' | undefined): ServiceNode => {
    const resolved = resolve(reference);
    const qualified = qualify(reference, provider);
    if (!resolved.ok) {
      // A cycle's or a too deep chain's message already names the services involved.
      throw new Error(
        namesTheChain(resolved.error) ? resolved.error : `service "${qualified}": ${resolved.error}`,
      );
    }
    if (needs === 'status' && resolved.value.status === undefined) {
      throw new Error(
        `child service "${qualified}" of "${name}" reports no status: give it a healthCheck ` +
          '(a loadBalancer needs one, a weighted, mirroring or failover service needs healthCheck: {})',
      );
    }
    if (needs === 'shadow' && resolved.value.shadow === undefined) {
      throw new Error(`service "${qualified}" cannot be a mirror of "${name}" (an internal service)`);
    }
    return resolved.value;
  };

  if (config.weighted !== undefined) {
    const spec = config.weighted;
    const needs = spec.healthCheck === undefined ? undefined : 'status';
    const children = spec.services.map((entry) => ({
      name: entry.name,
      node: child(entry.name, needs),
      weight: entry.weight,
    }));
    return { ok: true, value: named(name, weighted(spec, children, name)) };
  }
  if (config.failover !== undefined) {
    const spec = config.failover;
    // Failing over on the answer's status needs no health report from the main service (Traefik 3.7).
    const main = child(spec.service, (spec.errors?.status.length ?? 0) > 0 ? undefined : 'status');
    const fallback = child(spec.fallback, spec.healthCheck === undefined ? undefined : 'status');
    return { ok: true, value: named(name, failover(spec, main, fallback)) };
  }
  if (config.mirroring !== undefined) {
    const spec = config.mirroring;
    const main = child(spec.service, spec.healthCheck === undefined ? undefined : 'status');
    const mirrors = spec.mirrors.map((mirror) => ({
      node: child(mirror.name, 'shadow'),
      percent: mirror.percent,
    }));
    return { ok: true, value: named(name, mirroring(spec, main, mirrors)) };
  }
  return undefined;
}

/** True for the errors of a reference cycle or a too deep chain: their message names the services involved. */
function namesTheChain(error: string): boolean {
  return error.startsWith('recursion detected') || error.startsWith('services nested more than');
}

/** Sets the access log's ServiceName before the children (the leaf loadBalancer sets its own). */
function named(name: string, node: ServiceNode): ServiceNode {
  return {
    ...node,
    handle: (exchange) => {
      exchange.log.ServiceName = name;
      return node.handle(exchange);
    },
  };
}

/**
 * The health plumbing of one loadBalancer: every server starts UP in `serverStatus` (as in Traefik) unless the
 * checks before a reload found it DOWN; with a health check, the gauge is set while the runtime serves and
 * removed when it is replaced.
 */
export function serverHealth(
  info: ServiceInfo,
  config: LoadBalancerConfig,
  tasks: BackgroundTask[],
  options: Pick<BuildOptions, 'logger' | 'serverUp' | 'healthMemory'>,
): Pick<LoadBalancerDeps, 'name' | 'addTask' | 'onServerStatus' | 'healthMemory'> {
  const servers = [...new Set(config.servers.map((server) => server.url))];
  const memory =
    config.healthCheck === undefined ? undefined : options.healthMemory?.scope(info.name, config.healthCheck);
  const status: Record<string, 'UP' | 'DOWN'> = Object.fromEntries(
    servers.map((url) => [url, memory?.get(url)?.up === false ? 'DOWN' : 'UP']),
  );
  info.serverStatus = status;
  const addTask = (task: BackgroundTask) => {
    tasks.push(task);
  };
  if (config.healthCheck === undefined && config.passiveHealthCheck === undefined) {
    return { name: info.name, addTask };
  }
  const gauge = options.serverUp;
  if (gauge !== undefined) tasks.push(serverGauge(info.name, status, gauge));
  return {
    name: info.name,
    addTask,
    healthMemory: memory,
    onServerStatus: (server, up, reason) => {
      const before = status[server];
      status[server] = up ? 'UP' : 'DOWN';
      gauge?.(info.name, server, up);
      if (before === status[server]) return;
      if (up)
        options.logger.info({ service: info.name, server }, 'health check passed, server back in rotation');
      else
        options.logger.warn(
          { service: info.name, server, reason },
          'health check failed, server out of rotation',
        );
    },
  };
}

/** Sets the gauge of a health-checked loadBalancer's servers when its runtime starts serving. */
function serverGauge(
  service: string,
  status: Readonly<Record<string, 'UP' | 'DOWN'>>,
  gauge: NonNullable<BuildOptions['serverUp']>,
): BackgroundTask {
  return {
    start: () => {
      for (const [server, state] of Object.entries(status)) gauge(service, server, state === 'UP');
    },
    stop: () => {
      for (const server of Object.keys(status)) gauge(service, server, undefined);
    },
  };
}
