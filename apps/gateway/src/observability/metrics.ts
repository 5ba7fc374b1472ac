/**
 * Prometheus metrics with Traefik's names and labels (§5), served at `/metrics` by `prometheus@internal`:
 * config reloads, open connections, and per entrypoint / router / service request counts, durations and bytes.
 * Recorded once per exchange when its response is over, from what the exchange already tracks.
 */

import type { Socket } from 'node:net';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Exchange } from '../http/exchange.ts';

/** `metrics.prometheus` options this gateway honours. */
export interface MetricsOptions {
  /** Histogram buckets in seconds; Traefik's default is 0.1, 0.3, 1.2, 5. */
  readonly buckets?: readonly number[] | undefined;
  /** Per-entrypoint metrics (default true). */
  readonly addEntryPointsLabels?: boolean | undefined;
  /** Per-router metrics (default false: one series per router multiplies quickly). */
  readonly addRoutersLabels?: boolean | undefined;
  /** Per-service metrics (default true). */
  readonly addServicesLabels?: boolean | undefined;
}

const STANDARD_METHODS = new Set([
  'GET',
  'HEAD',
  'POST',
  'PUT',
  'DELETE',
  'CONNECT',
  'OPTIONS',
  'TRACE',
  'PATCH',
]);

/** The `protocol` label: `grpc`, `grpc-web`, `websocket`, `sse` or `http`, from the request's headers. */
function protocolOf(exchange: Exchange): string {
  if (exchange.originalHeader('upgrade', true)?.toLowerCase() === 'websocket') return 'websocket';
  const contentType = exchange.originalHeader('content-type') ?? '';
  if (contentType.startsWith('application/grpc-web')) return 'grpc-web';
  if (contentType.startsWith('application/grpc')) return 'grpc';
  if (exchange.originalHeader('accept', true)?.includes('text/event-stream')) return 'sse';
  return 'http';
}

/** A family of request metrics (requests, duration, bytes in and out) for one kind of label. */
class RequestMetrics<L extends string> {
  readonly #requests: Counter<L>;
  readonly #duration: Histogram<L>;
  readonly #requestBytes: Counter<L>;
  readonly #responseBytes: Counter<L>;
  readonly #series = new Map<string, Series>();

  constructor(registry: Registry, prefix: string, labels: readonly L[], buckets: number[]) {
    const labelNames = [...labels];
    this.#requests = new Counter({
      name: `${prefix}_requests_total`,
      help: `How many HTTP requests processed on ${prefix.split('_')[1]}, partitioned by status code, protocol, and method.`,
      labelNames,
      registers: [registry],
    });
    this.#duration = new Histogram({
      name: `${prefix}_request_duration_seconds`,
      help: `How long it took to process the request on ${prefix.split('_')[1]}, partitioned by status code, protocol, and method.`,
      labelNames,
      buckets,
      registers: [registry],
    });
    this.#requestBytes = new Counter({
      name: `${prefix}_requests_bytes_total`,
      help: 'The total size of requests in bytes, partitioned by status code, protocol, and method.',
      labelNames,
      registers: [registry],
    });
    this.#responseBytes = new Counter({
      name: `${prefix}_responses_bytes_total`,
      help: 'The total size of responses in bytes, partitioned by status code, protocol, and method.',
      labelNames,
      registers: [registry],
    });
  }

  /**
   * Records one request. The series' children are resolved once per label set (`key` names it) and kept, so a
   * request costs no label hashing.
   */
  record(
    key: string,
    labels: () => Record<L, string>,
    seconds: number,
    requestBytes: number,
    responseBytes: number,
  ): void {
    let series = this.#series.get(key);
    if (series === undefined) {
      const values = labels();
      series = {
        requests: this.#requests.labels(values),
        duration: this.#duration.labels(values),
        requestBytes: this.#requestBytes.labels(values),
        responseBytes: this.#responseBytes.labels(values),
      };
      this.#series.set(key, series);
    }
    series.requests.inc();
    series.duration.observe(seconds);
    if (requestBytes > 0) series.requestBytes.inc(requestBytes);
    if (responseBytes > 0) series.responseBytes.inc(responseBytes);
  }
}

/** The children of one label set. */
interface Series {
  readonly requests: { inc(value?: number): void };
  readonly duration: { observe(value: number): void };
  readonly requestBytes: { inc(value?: number): void };
  readonly responseBytes: { inc(value?: number): void };
}

/** The gateway's metrics and their registry. */
export class GatewayMetrics {
  readonly registry = new Registry();
  readonly #reloads: Counter;
  readonly #lastReload: Gauge;
  readonly #connections: Gauge<'entrypoint' | 'protocol'>;
  readonly #serverUp: Gauge<'service' | 'url'>;
  readonly #entryPoints: RequestMetrics<'code' | 'method' | 'protocol' | 'entrypoint'> | undefined;
  readonly #routers: RequestMetrics<'code' | 'method' | 'protocol' | 'router' | 'service'> | undefined;
  readonly #services: RequestMetrics<'code' | 'method' | 'protocol' | 'service'> | undefined;
  #routerService: ((router: string) => string | undefined) | undefined;
  #render: (() => Promise<{ body: string; contentType: string }>) | undefined;

  constructor(options: MetricsOptions = {}) {
    const buckets = [...(options.buckets ?? [0.1, 0.3, 1.2, 5])];
    const registers = [this.registry];
    // With workers, each applies every configuration: their sum would count each load N times.
    this.#reloads = new Counter({
      name: 'traefik_config_reloads_total',
      help: 'Config reloads',
      registers,
      aggregator: 'max',
    });
    this.#lastReload = new Gauge({
      name: 'traefik_config_last_reload_success',
      help: 'Last config reload success',
      registers,
      aggregator: 'max',
    });
    this.#connections = new Gauge({
      name: 'traefik_open_connections',
      help: 'How many open connections exist, by entryPoint and protocol',
      labelNames: ['entrypoint', 'protocol'],
      registers,
    });
    // With workers, each probes every server: a server is up when every worker finds it up.
    this.#serverUp = new Gauge({
      name: 'traefik_service_server_up',
      help: 'service server is up, described by gauge value of 0 or 1.',
      labelNames: ['service', 'url'],
      registers,
      aggregator: 'min',
    });
    this.#entryPoints =
      options.addEntryPointsLabels === false
        ? undefined
        : new RequestMetrics(
            this.registry,
            'traefik_entrypoint',
            ['code', 'method', 'protocol', 'entrypoint'],
            buckets,
          );
    this.#routers = options.addRoutersLabels
      ? new RequestMetrics(
          this.registry,
          'traefik_router',
          ['code', 'method', 'protocol', 'router', 'service'],
          buckets,
        )
      : undefined;
    this.#services =
      options.addServicesLabels === false
        ? undefined
        : new RequestMetrics(
            this.registry,
            'traefik_service',
            ['code', 'method', 'protocol', 'service'],
            buckets,
          );
  }

  /** Tells the router metrics the service each router names (for requests answered before reaching it). */
  useRouterServices(lookup: (router: string) => string | undefined): void {
    this.#routerService = lookup;
  }

  /** A configuration was loaded and applied. */
  configApplied(): void {
    this.#reloads.inc();
    this.#lastReload.set(Date.now() / 1000);
  }

  /** Sets a health-checked server's gauge to 1 (up) or 0 (down), or removes it (undefined: service gone). */
  serverUp(service: string, url: string, up: boolean | undefined): void {
    if (up === undefined) this.#serverUp.remove({ service, url });
    else this.#serverUp.set({ service, url }, up ? 1 : 0);
  }

  /** Counts `socket` as open on `entryPoint` until it closes. */
  trackConnection(entryPoint: string, socket: Socket): void {
    const labels = { entrypoint: entryPoint, protocol: 'TCP' };
    this.#connections.inc(labels);
    socket.once('close', () => this.#connections.dec(labels));
  }

  /** Records a finished exchange. */
  record(exchange: Exchange): void {
    const seconds = Number(process.hrtime.bigint() - exchange.start) / 1e9;
    const code = String(exchange.res.headersSent ? exchange.res.statusCode : 499);
    const method = STANDARD_METHODS.has(exchange.req.method ?? '')
      ? (exchange.req.method as string)
      : 'EXTENSION_METHOD';
    const protocol = protocolOf(exchange);
    const requestBytes = Number(exchange.originalHeader('content-length') ?? 0) || 0;
    const responseBytes = exchange.log.DownstreamContentSize;
    // code, method and protocol never hold a space; the last label may hold anything.
    const common = `${code} ${method} ${protocol}`;
    const entrypoint = exchange.entryPoint;
    this.#entryPoints?.record(
      `${common} ${entrypoint}`,
      () => ({ code, method, protocol, entrypoint }),
      seconds,
      requestBytes,
      responseBytes,
    );
    const service = exchange.log.ServiceName;
    const router = exchange.log.RouterName;
    // A request a middleware answered (a refused token) never reached the service, but Traefik's router metrics
    // still count it, labelled with the router's service.
    const routerService = router === undefined ? undefined : (service ?? this.#routerService?.(router));
    if (router !== undefined && routerService !== undefined) {
      this.#routers?.record(
        // The router's length keeps `a b`+`c` and `a`+`b c` apart.
        `${common} ${router.length}:${router} ${routerService}`,
        () => ({ code, method, protocol, router, service: routerService }),
        seconds,
        requestBytes,
        responseBytes,
      );
    }
    if (service !== undefined) {
      this.#services?.record(
        `${common} ${service}`,
        () => ({ code, method, protocol, service }),
        seconds,
        requestBytes,
        responseBytes,
      );
    }
  }

  /** The exposition text and its content type. */
  async render(): Promise<{ body: string; contentType: string }> {
    if (this.#render !== undefined) return this.#render();
    return { body: await this.registry.metrics(), contentType: this.registry.contentType };
  }

  /** Makes `/metrics` serve what `render` gives instead of this registry (every worker's, summed). */
  useRenderer(render: () => Promise<{ body: string; contentType: string }>): void {
    this.#render = render;
  }
}
