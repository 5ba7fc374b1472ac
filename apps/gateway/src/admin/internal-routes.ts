/**
 * The services the gateway provides itself (`api@internal`, `dashboard@internal`, `ping@internal`,
 * `prometheus@internal`, `noop@internal`), for routers to name, and the routes Traefik adds for them on their
 * entrypoints unless `manualRouting` is set: `/ping`, `/api/...` and `/dashboard/` (with `api.insecure`; `/`
 * and `/dashboard` redirect there) and `/metrics`. As in Traefik, `api@internal` serves the dashboard too, so
 * one router to it publishes both.
 */

import { adminEntryPoint, type StaticConfig } from '../config/static.ts';
import type { Handler } from '../http/handler.ts';
import type { GatewayMetrics } from '../observability/metrics.ts';
import type { InternalRoute } from '../runtime/dispatch.ts';
import type { RuntimeInfo } from '../runtime/info.ts';
import { apiHandler } from './api.ts';
import { createDashboard } from './dashboard/dashboard.ts';
import type { ConfigHistory } from './dashboard/history.ts';
import { pingHandler } from './ping.ts';

/** What the internal services read. */
export interface InternalDeps {
  /** The current runtime's information, for the API. */
  readonly info: () => RuntimeInfo;
  /** True once shutdown has begun (ping answers its terminating status). */
  readonly terminating: () => boolean;
  /** Prometheus metrics, when `metrics.prometheus` is set. */
  readonly metrics: GatewayMetrics | undefined;
  readonly version: string;
  readonly startDate: Date;
  /** The configuration loads, for `/api/history`. */
  readonly history: ConfigHistory;
}

/** The internal services by name, and the routes to them per entrypoint. */
export interface Internals {
  readonly services: ReadonlyMap<string, Handler>;
  readonly routes: ReadonlyMap<string, readonly InternalRoute[]>;
  /** Ends what outlives a request (the dashboard's live streams). */
  close(): void;
}

/** Builds the internal services and routes a static configuration asks for. */
export function createInternals(config: StaticConfig, deps: InternalDeps): Internals {
  const services = new Map<string, Handler>();
  const routes = new Map<string, InternalRoute[]>();
  const route = (entryPoint: string, name: string, matches: (path: string) => boolean) => {
    const handler = services.get(name);
    if (handler === undefined) throw new TypeError(`no internal service ${name}`);
    routes.set(entryPoint, [...(routes.get(entryPoint) ?? []), { name, matches, handler }]);
  };

  const dashboard = createDashboard({ history: deps.history, registry: deps.metrics?.registry });
  const api = apiHandler({
    info: deps.info,
    entryPoints: config.entryPoints,
    version: deps.version,
    startDate: deps.startDate,
    providers: config.providers.file ? ['File'] : [],
    accessLog: config.accessLog !== undefined,
    // Traefik's features.metrics names the backend; Prometheus is the only one here.
    metrics: deps.metrics ? 'Prometheus' : '',
    extensions: dashboard.api,
  });
  const pages = config.api?.dashboard !== false ? dashboard.pages : undefined;
  services.set('api@internal', (exchange) =>
    pages && isDashboardPath(exchange.path) ? pages(exchange) : api(exchange),
  );
  if (pages) services.set('dashboard@internal', pages);
  services.set('ping@internal', pingHandler(deps.terminating, config.ping?.terminatingStatusCode));
  // Traefik's noop handler (pkg/server/service/internalhandler.go) writes only a 418 I'm a teapot, no body: the
  // service of routers whose middlewares answer (redirects), so a request they let through reaches nothing.
  services.set('noop@internal', async (exchange) => exchange.send(418, ''));
  const { metrics } = deps;
  if (metrics) {
    services.set('prometheus@internal', async (exchange) => {
      const { body, contentType } = await metrics.render();
      exchange.send(200, body, { 'content-type': contentType });
    });
  }

  if (config.ping && !config.ping.manualRouting) {
    route(config.ping.entryPoint, 'ping@internal', (p) => p === '/ping');
  }
  if (config.api?.insecure) {
    route(adminEntryPoint, 'api@internal', (p) => p === '/api' || p.startsWith('/api/'));
    if (pages) route(adminEntryPoint, 'dashboard@internal', (p) => p === '/' || isDashboardPath(p));
  }
  const prometheus = config.metrics?.prometheus;
  if (metrics && prometheus && !prometheus.manualRouting) {
    route(prometheus.entryPoint, 'prometheus@internal', (p) => p === '/metrics');
  }
  return { services, routes, close: dashboard.close };
}

const isDashboardPath = (path: string): boolean => path === '/dashboard' || path.startsWith('/dashboard/');
