/**
 * Active health checks of a loadBalancer's servers (Traefik's `healthCheck`, `pkg/healthcheck`): each server
 * is probed one `interval` after the checks start, then every `interval` while it is up and every
 * `unhealthyInterval` while it is down. Healthy is a status from 200 to 399, or exactly `status` when set;
 * a transport error or a probe slower than `timeout` is unhealthy. Redirects are followed (Go's client: at
 * most 10) unless `followRedirects` is false. Checks belong to one runtime: started when it starts serving,
 * stopped (timers cleared, probes in flight aborted) when a reload replaces it; the next runtime's checks take
 * over each server's last status and next probe time (health-memory.ts).
 */

import { Agent, type Dispatcher } from 'undici';
import type { ServerHealthCheckConfig } from '../config/services-schema.ts';
import { probeGrpc } from './grpc-health-check.ts';
import type { ServiceHealthMemory } from './health-memory.ts';

/** Something a runtime starts when it begins serving and stops when it is replaced. */
export interface BackgroundTask {
  start(): void;
  stop(): void;
}

/** What the checker needs besides its config. */
export interface HealthCheckDeps {
  /** The keep-alive pool for an origin, with the service's transport (leased now, at load time). */
  readonly lease: (origin: string) => Dispatcher;
  /** Told the outcome of every probe: `reason` says why a server is unhealthy. */
  readonly onResult: (server: string, up: boolean, reason: string | undefined) => void;
  /** What the checks of the runtime before knew; without it every server starts UP, probed one interval later. */
  readonly memory?: ServiceHealthMemory | undefined;
}

/** Traefik's defaults, also used for an interval or timeout of 0 (`NewServiceHealthChecker`). */
const defaultInterval = 30_000;
const defaultTimeout = 5_000;
/** Go's http.Client stops after 10 redirects. */
const maxRedirects = 10;
const redirectStatuses = new Set([301, 302, 303, 307, 308]);

interface Target {
  /** The server URL as configured: the key in serverStatus and the metric's `url` label. */
  readonly server: string;
  readonly url: URL;
  /** The pool HTTP probes go through (none in gRPC mode, which opens an HTTP/2 session per probe). */
  readonly dispatcher: Dispatcher | undefined;
}

/** The probes of one loadBalancer's servers. */
export class HealthChecker implements BackgroundTask {
  readonly #config: ServerHealthCheckConfig;
  readonly #deps: HealthCheckDeps;
  readonly #targets: readonly Target[];
  readonly #interval: number;
  readonly #unhealthyInterval: number;
  readonly #timeout: number;
  readonly #timers = new Set<NodeJS.Timeout>();
  readonly #inFlight = new Set<AbortController>();
  /** The last status of each server. */
  readonly #up = new Map<string, boolean>();
  #agent: Agent | undefined;
  #running = false;

  constructor(config: ServerHealthCheckConfig, servers: readonly string[], deps: HealthCheckDeps) {
    this.#config = config;
    this.#deps = deps;
    this.#interval = config.interval > 0 ? config.interval : defaultInterval;
    this.#unhealthyInterval =
      config.unhealthyInterval !== undefined && config.unhealthyInterval > 0
        ? config.unhealthyInterval
        : this.#interval;
    this.#timeout = config.timeout > 0 ? config.timeout : defaultTimeout;
    this.#targets = servers.map((server) => {
      if (config.mode === 'grpc')
        return { server, url: checkUrl(server, { ...config, path: '' }), dispatcher: undefined };
      const url = checkUrl(server, config);
      // An h2c server is probed over cleartext HTTP/2 too, through the same kind of pool as its traffic.
      const h2c = (config.scheme ?? new URL(server).protocol.slice(0, -1)) === 'h2c';
      return { server, url, dispatcher: deps.lease(h2c ? `h2c://${url.host}` : url.origin) };
    });
    for (const server of servers) this.#up.set(server, deps.memory?.get(server)?.up ?? true);
  }

  /** The servers that start DOWN: found so by the checks before the reload. */
  get initiallyDown(): string[] {
    return [...this.#up].filter(([, up]) => !up).map(([server]) => server);
  }

  /** Schedules the first probe of every server: one interval from now, or when it was due before the reload. */
  start(): void {
    if (this.#running) return;
    this.#running = true;
    const now = Date.now();
    for (const target of this.#targets) {
      const due = this.#deps.memory?.get(target.server)?.due;
      const interval = this.#up.get(target.server) === false ? this.#unhealthyInterval : this.#interval;
      this.#schedule(target, due === undefined ? interval : Math.min(Math.max(due - now, 0), interval));
    }
  }

  /** Clears every timer and aborts the probes in flight; no result is reported after this. */
  stop(): void {
    this.#running = false;
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    for (const controller of this.#inFlight) controller.abort();
    this.#inFlight.clear();
    void this.#agent?.destroy().catch(() => {});
    this.#agent = undefined;
  }

  /** Number of pending timers and probes (for tests: zero once stopped). */
  get pending(): number {
    return this.#timers.size + this.#inFlight.size;
  }

  #schedule(target: Target, delay: number): void {
    this.#deps.memory?.set(target.server, {
      up: this.#up.get(target.server) ?? true,
      due: Date.now() + delay,
    });
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      void this.#check(target);
    }, delay);
    this.#timers.add(timer);
  }

  async #check(target: Target): Promise<void> {
    const controller = new AbortController();
    this.#inFlight.add(controller);
    const timeout = setTimeout(() => controller.abort(), this.#timeout);
    let reason: string | undefined;
    try {
      reason = await this.#probe(target, controller.signal);
    } catch (error) {
      reason = controller.signal.aborted
        ? `no answer within ${this.#timeout} ms`
        : `request failed: ${(error as Error).message}`;
    } finally {
      clearTimeout(timeout);
      this.#inFlight.delete(controller);
    }
    if (!this.#running) return;
    const up = reason === undefined;
    this.#up.set(target.server, up);
    this.#deps.onResult(target.server, up, reason);
    this.#schedule(target, up ? this.#interval : this.#unhealthyInterval);
  }

  /** One probe, following redirects; resolves to why the server is unhealthy, or undefined. */
  async #probe(target: Target, signal: AbortSignal): Promise<string | undefined> {
    const config = this.#config;
    if (target.dispatcher === undefined) return probeGrpc(target.url, signal);
    let url = target.url;
    let method = config.method;
    let dispatcher: Dispatcher = target.dispatcher;
    for (let redirects = 0; ; redirects++) {
      const headers: Record<string, string> = {
        host: redirects === 0 && config.hostname !== undefined ? config.hostname : url.host,
      };
      for (const [name, value] of Object.entries(config.headers)) headers[name.toLowerCase()] = value;
      const response = await dispatcher.request({
        origin: url.origin,
        path: `${url.pathname}${url.search}`,
        method: method as Dispatcher.HttpMethod,
        headers,
        signal,
      });
      await response.body.dump();
      const status = response.statusCode;
      const location = response.headers.location;
      if (config.followRedirects && redirectStatuses.has(status) && typeof location === 'string') {
        if (redirects === maxRedirects) return `stopped after ${maxRedirects} redirects`;
        url = new URL(location, url);
        // Go's client turns a 301, 302 or 303 into a GET (HEAD stays HEAD).
        if (status <= 303 && method !== 'GET' && method !== 'HEAD') method = 'GET';
        if (url.origin !== target.url.origin) dispatcher = this.#redirectAgent();
        continue;
      }
      if (config.status === 0 && (status < 200 || status >= 400)) return `received status ${status}`;
      if (config.status !== 0 && status !== config.status) {
        return `received status ${status}, expected ${config.status}`;
      }
      return undefined;
    }
  }

  /** Redirects may lead to another origin: those go through an agent of the checker's own. */
  #redirectAgent(): Agent {
    this.#agent ??= new Agent({ connect: { timeout: this.#timeout } });
    return this.#agent;
  }
}

/** The URL probed for a server: `path` resolved against it (as Go's `URL.Parse`), then scheme and port. */
export function checkUrl(server: string, config: ServerHealthCheckConfig): URL {
  // `h2c://` is not a special scheme for the WHATWG URL (no origin, no switching to http): probe it as http.
  const url = new URL(config.path, server.replace(/^h2c:/i, 'http:'));
  // h2c is cleartext HTTP/2: the same origin as http.
  if (config.scheme !== undefined) url.protocol = config.scheme === 'https' ? 'https:' : 'http:';
  if (config.port > 0) url.port = String(config.port);
  return url;
}
