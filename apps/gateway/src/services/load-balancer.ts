/**
 * The `loadBalancer` service (Traefik §3): weighted round robin over `servers` (or the `p2c`, `hrw` or
 * `leasttime` strategy), each reached through a keep-alive pool. Servers found unhealthy by the `healthCheck` (or the `passiveHealthCheck`) leave the
 * rotation until they are healthy again; `sticky.cookie` pins a client to a server while it is up. No server to
 * pick → 503 `no available server\n`.
 */

import { setMaxListeners } from 'node:events';
import type { LoadBalancerConfig } from '../config/dynamic-schema.ts';
import type { Exchange } from '../http/exchange.ts';
import { type LeasePool, type TransportSettings, upstreamOrigin } from '../http/transport.ts';
import { type ForwardOptions, forward, type Upstream } from '../proxy/forward.ts';
import { type BackgroundTask, HealthChecker } from './health-check.ts';
import type { ServiceHealthMemory } from './health-memory.ts';
import { sendShadow } from './mirroring.ts';
import type { ServiceNode } from './node.ts';
import { PassiveHealthCheck } from './passive-health-check.ts';
import { Rotation } from './rotation.ts';
import { StickyCookie } from './sticky.ts';
import { type RandomIndex, StrategyPicker } from './strategies.ts';

/** What a load balancer needs besides its config. */
export interface LoadBalancerDeps {
  /** Gives the keep-alive pool for an origin (the runtime records which pools it holds). */
  readonly lease: LeasePool;
  /** Timeouts of the service's servers transport. */
  readonly timeouts: TransportSettings;
  /** Called with upstream failures worth a log line. */
  readonly onError?: (error: unknown, status: number, upstream: string) => void;
  /** The service's qualified name (the sticky cookie's default name is derived from it). */
  readonly name?: string;
  /** Runs health checks while the runtime serves (started and stopped with it). */
  readonly addTask?: (task: BackgroundTask) => void;
  /** Told each health check result: `reason` says why a server is down. */
  readonly onServerStatus?: (server: string, up: boolean, reason: string | undefined) => void;
  /** The health its checks found before the last reload. */
  readonly healthMemory?: ServiceHealthMemory | undefined;
  /** The random source of the p2c strategy (tests make it deterministic). */
  readonly random?: RandomIndex;
}

interface Server {
  readonly key: string;
  readonly upstream: Upstream;
  readonly options: ForwardOptions;
}

/** Builds a load balancer. Pools are leased now, at load time; health checks run once its runtime starts. */
export function loadBalancer(config: LoadBalancerConfig, deps: LoadBalancerDeps): ServiceNode {
  const passHostHeader = config.passHostHeader;
  const strategy = config.strategy === 'wrr' ? undefined : config.strategy;
  // Set once the members exist; only leasttime times the answers.
  let picker: StrategyPicker<Server> | undefined;
  const members = config.servers.map((server) => {
    const url = new URL(server.url);
    const pool = deps.lease(upstreamOrigin(url), deps.timeouts);
    const upstream: Upstream = { url, pool, preservePath: server.preservePath === true };
    // Built once per server, not per request.
    const options: ForwardOptions = {
      passHostHeader,
      onError: (error, status) => deps.onError?.(error, status, url.href),
      onAnswer:
        strategy === 'leasttime'
          ? (exchange) => picker?.answered(item, elapsedMs(exchange.log.originStart))
          : undefined,
    };
    const item: Server = { key: server.url, upstream, options };
    return { key: server.url, item, weight: server.weight ?? 1 };
  });
  const rotation = new Rotation<Server>(members);
  picker = strategy === undefined ? undefined : new StrategyPicker(strategy, members, deps.random);
  const setStatus = (server: string, up: boolean, reason: string | undefined) => {
    rotation.setUp(server, up);
    picker?.setUp(server, up);
    deps.onServerStatus?.(server, up, reason);
  };
  const servers = [...new Set(config.servers.map((server) => server.url))];
  if (config.healthCheck !== undefined) {
    const checker = new HealthChecker(config.healthCheck, servers, {
      lease: (origin) => deps.lease(origin, deps.timeouts),
      onResult: setStatus,
      memory: deps.healthMemory,
    });
    for (const server of checker.initiallyDown)
      setStatus(server, false, 'down at the last check before the reload');
    deps.addTask?.(checker);
  }
  let passive: PassiveHealthCheck | undefined;
  if (config.passiveHealthCheck !== undefined) {
    passive = new PassiveHealthCheck(
      config.passiveHealthCheck,
      config.healthCheck !== undefined,
      (server, up) => setStatus(server, up, up ? undefined : 'too many failed requests'),
    );
    deps.addTask?.(passive);
  }
  // Copies for mirroring services are cut off when the runtime stops.
  const shadows = new AbortController();
  // One listener per copy in flight: no fixed bound.
  setMaxListeners(0, shadows.signal);
  deps.addTask?.({ start: () => {}, stop: () => shadows.abort() });
  const cookie = config.sticky?.cookie;
  const sticky = cookie === undefined ? undefined : new StickyCookie(cookie, deps.name ?? '', servers);

  const sendTo = (exchange: Exchange, server: Server): Promise<void> => {
    if (passive === undefined) return forward(exchange, server.upstream, server.options);
    const counter = passive;
    exchange.log.OriginStatus = 0;
    return forward(exchange, server.upstream, server.options).then(() => {
      const status = exchange.log.OriginStatus;
      if (!exchange.clientGone) counter.record(server.key, status > 0 && status < 500);
    });
  };
  const tracker = picker;
  // p2c and leasttime count the requests in flight to each server; wrr pays nothing for it.
  const send =
    tracker === undefined || strategy === 'hrw'
      ? sendTo
      : (exchange: Exchange, server: Server) => tracker.track(server, () => sendTo(exchange, server));

  const handle = (exchange: Exchange): Promise<void> => {
    // Traefik's hrw has no sticky cookie: the client IP already pins the server.
    if (sticky !== undefined && strategy !== 'hrw') {
      const pinned = sticky.pinned(exchange);
      const server = pinned && rotation.upMember(pinned.member);
      if (pinned && server) {
        if (!pinned.fresh) sticky.pin(exchange, pinned.member);
        return send(exchange, server);
      }
    }
    const picked = picker === undefined ? rotation.next() : picker.pick(exchange.remoteAddr);
    if (picked === undefined) {
      exchange.sendText(503, 'no available server\n');
      return Promise.resolve();
    }
    if (strategy !== 'hrw') sticky?.pin(exchange, picked.key);
    return send(exchange, picked);
  };

  return {
    handle,
    // Traefik: only a load balancer with a health check reports its status to the services above it.
    status: config.healthCheck === undefined ? undefined : rotation.status,
    shadow: (request) => {
      const server = rotation.next();
      if (server !== undefined) sendShadow(request, server.upstream, server.options, shadows.signal);
    },
  };
}

/** Milliseconds since `start` (a `process.hrtime.bigint()` reading); 0 when there is none. */
function elapsedMs(start: bigint | undefined): number {
  return start === undefined ? 0 : Number(process.hrtime.bigint() - start) / 1e6;
}
