/**
 * `api@internal`: the read-only admin API in Traefik's shapes (§4): `/api/version`, `/api/overview`,
 * `/api/entrypoints`, `/api/http/{routers,services,middlewares}[/{name}]`, `/api/rawdata`, and empty
 * `/api/tcp/*` and `/api/udp/*`. Lists accept `search`, `status`, `page` and `per_page`.
 */

import type { EntryPointConfig } from '../config/static.ts';
import type { Exchange } from '../http/exchange.ts';
import type { Handler } from '../http/handler.ts';
import type { MiddlewareInfo, ResourceInfo, RouterInfo, RuntimeInfo, ServiceInfo } from '../runtime/info.ts';

/** What the API reads. */
export interface ApiOptions {
  /** The current runtime's information. */
  readonly info: () => RuntimeInfo;
  readonly entryPoints: Readonly<Record<string, EntryPointConfig>>;
  readonly version: string;
  readonly startDate: Date;
  /** Provider names, e.g. `["File"]`. */
  readonly providers: readonly string[];
  readonly accessLog: boolean;
  /** The metrics backend in use, as Traefik names it (`Prometheus`), or `''`. */
  readonly metrics: string;
  /** Routes only this gateway has (the dashboard's `/api/history`, `/api/live`), by exact path. */
  readonly extensions?: ReadonlyMap<string, Handler>;
}

type Json = Record<string, unknown>;

/** Builds the API handler. */
export function apiHandler(options: ApiOptions): Handler {
  return async (exchange) => {
    if (exchange.method !== 'GET' && exchange.method !== 'HEAD') {
      sendJson(exchange, 405, { message: 'method not allowed' });
      return;
    }
    const path = exchange.path.replace(/\/+$/, '');
    const extension = options.extensions?.get(path);
    if (extension) return extension(exchange);
    const info = options.info();
    const query = new URLSearchParams(exchange.rawQuery);
    const collections: Record<string, () => Json[]> = {
      '/api/http/routers': () => [...info.routers.values()].map(routerJson),
      '/api/http/services': () => [...info.services.values()].map(serviceJson),
      '/api/http/middlewares': () => [...info.middlewares.values()].map(middlewareJson),
      '/api/entrypoints': () =>
        Object.entries(options.entryPoints).map(([name, ep]) => entryPointJson(name, ep)),
      '/api/tcp/routers': () => [],
      '/api/tcp/services': () => [],
      '/api/tcp/middlewares': () => [],
      '/api/udp/routers': () => [],
      '/api/udp/services': () => [],
    };
    if (path === '/api/version') {
      sendJson(exchange, 200, {
        Version: options.version,
        Codename: 'gateway-pattern',
        startDate: options.startDate.toISOString(),
      });
      return;
    }
    if (path === '/api/overview') {
      sendJson(exchange, 200, overview(info, options));
      return;
    }
    if (path === '/api/rawdata') {
      sendJson(exchange, 200, rawdata(info));
      return;
    }
    const list = collections[path];
    if (list) {
      sendList(exchange, list(), query);
      return;
    }
    const slash = path.lastIndexOf('/');
    const one = collections[path.slice(0, slash)];
    if (one) {
      const name = safeDecode(path.slice(slash + 1));
      const item = one().find((entry) => entry.name === name);
      if (item) sendJson(exchange, 200, item);
      else sendJson(exchange, 404, { message: `${path.slice(5, slash)} not found: ${name}` });
      return;
    }
    exchange.sendText(404, '404 page not found\n', { 'x-content-type-options': 'nosniff' });
  };
}

function sendJson(
  exchange: Exchange,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  exchange.send(status, JSON.stringify(body), { 'content-type': 'application/json', ...headers });
}

function sendList(exchange: Exchange, items: Json[], query: URLSearchParams): void {
  const search = query.get('search')?.toLowerCase();
  const status = query.get('status');
  let filtered = items
    .filter((item) => !search || String(item.name).toLowerCase().includes(search))
    .filter((item) => !status || item.status === status)
    .sort((a, b) => String(a.name).localeCompare(String(b.name)));
  if (query.get('direction') === 'desc') filtered = filtered.reverse();
  const perPage = Number(query.get('per_page') ?? 100) || 100;
  const page = Number(query.get('page') ?? 1) || 1;
  const start = (page - 1) * perPage;
  if (page < 1 || (start >= filtered.length && filtered.length > 0)) {
    sendJson(exchange, 400, { message: 'invalid request: page out of range' });
    return;
  }
  const next = start + perPage < filtered.length ? String(page + 1) : '1';
  sendJson(exchange, 200, filtered.slice(start, start + perPage), { 'x-next-page': next });
}

function common(info: ResourceInfo): Json {
  return {
    status: info.status,
    ...(info.errors.length > 0 ? { error: [...info.errors] } : {}),
    name: info.name,
    provider: info.provider,
  };
}

function routerJson(info: RouterInfo): Json {
  return {
    ...info.config,
    ...common(info),
    ...(info.using.length > 0 ? { using: info.using } : {}),
    priority: info.priority,
    priorityStr: String(info.priority),
  };
}

function serviceJson(info: ServiceInfo): Json {
  const serverStatus = info.serverStatus;
  return {
    ...info.config,
    ...common(info),
    usedBy: info.usedBy,
    ...(info.type ? { type: info.type } : {}),
    ...(info.status !== 'disabled' && serverStatus !== undefined && Object.keys(serverStatus).length > 0
      ? { serverStatus: { ...serverStatus } }
      : {}),
  };
}

function middlewareJson(info: MiddlewareInfo): Json {
  return { ...info.config, ...common(info), usedBy: info.usedBy, ...(info.type ? { type: info.type } : {}) };
}

function entryPointJson(name: string, ep: EntryPointConfig): Json {
  return { ...ep, name };
}

/** Counts of one kind of resource, as `/api/overview` gives them. */
export interface ResourceCounts {
  readonly total: number;
  readonly warnings: number;
  readonly errors: number;
}

/** Traefik's overview counts: errors are the disabled resources, warnings those with a warning. */
export function resourceCounts(items: Iterable<ResourceInfo>): ResourceCounts {
  let total = 0;
  let warnings = 0;
  let errors = 0;
  for (const item of items) {
    total++;
    if (item.status === 'warning') warnings++;
    if (item.status === 'disabled') errors++;
  }
  return { total, warnings, errors };
}

function overview(info: RuntimeInfo, options: ApiOptions): Json {
  const empty = { total: 0, warnings: 0, errors: 0 };
  return {
    http: {
      routers: resourceCounts(info.routers.values()),
      services: resourceCounts(info.services.values()),
      middlewares: resourceCounts(info.middlewares.values()),
    },
    tcp: { routers: empty, services: empty, middlewares: empty },
    udp: { routers: empty, services: empty },
    features: { tracing: '', metrics: options.metrics, accessLog: options.accessLog },
    providers: options.providers,
  };
}

function rawdata(info: RuntimeInfo): Json {
  const byName = <T extends ResourceInfo>(map: Map<string, T>, toJson: (item: T) => Json) =>
    Object.fromEntries([...map.values()].map((item) => [item.name, toJson(item)]));
  const out: Json = {};
  if (info.routers.size > 0) out.routers = byName(info.routers, routerJson);
  if (info.middlewares.size > 0) out.middlewares = byName(info.middlewares, middlewareJson);
  if (info.services.size > 0) out.services = byName(info.services, serviceJson);
  return out;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
