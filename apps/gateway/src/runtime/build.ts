/**
 * Dynamic configuration → runtime: validates every resource, compiles rules, builds middleware chains and
 * service pools, and sorts routers per entrypoint. Everything is done here, once per (re)load, so a request
 * only walks prebuilt structures. A resource that cannot be built is disabled with its error (and so is every
 * router that needs it); the others are unaffected.
 */

import type { Pool } from 'undici';
import type { DynamicConfig, RawResource } from '../config/dynamic-config.ts';
import {
  type MiddlewareConfig,
  type ServiceConfig,
  validateMiddleware,
  validateRouter,
  validateServersTransport,
  validateService,
} from '../config/dynamic-schema.ts';
import type { ForwardAuthCacheConfig } from '../config/forward-auth-cache-schema.ts';
import type { Handler } from '../http/handler.ts';
import type { TransportSettings } from '../http/transport.ts';
import { KeySetRegistry } from '../middlewares/jwt/key-sets.ts';
import type { Middleware } from '../middlewares/types.ts';
import type { AuthDecisionCounters } from '../observability/auth-decisions.ts';
import type { Logger } from '../observability/logger.ts';
import { Muxer, type Route } from '../router/muxer.ts';
import { compileRule, defaultPriority } from '../rules/index.ts';
import type { Matcher, RuleSyntax } from '../rules/types.ts';
import type { BackgroundTask } from '../services/health-check.ts';
import type { HealthMemory } from '../services/health-memory.ts';
import { loadBalancer } from '../services/load-balancer.ts';
import type { ServiceNode } from '../services/node.ts';
import type { PoolRegistry } from '../services/pools.ts';
import { serversTransportSettings } from '../services/transports.ts';
import { RoutersTls, type RuntimeTls } from '../tls/routers-tls.ts';
import { applyEntryPointHttp, type EntryPointHttp } from './entrypoint-http.ts';
import {
  disable,
  type MiddlewareInfo,
  type ResourceInfo,
  type RouterInfo,
  type RuntimeInfo,
  type ServiceInfo,
} from './info.ts';
import { createMiddleware } from './middlewares.ts';
import { providerOf, qualify } from './names.ts';
import { buildComposite, serverHealth } from './service-build.ts';

/** What a build needs besides the dynamic configuration. */
export interface BuildOptions {
  /** The provider the configuration came from (`file`). */
  readonly provider: string;
  /** Every declared entrypoint. */
  readonly entryPoints: readonly string[];
  /** The entrypoints that serve HTTPS (`http.tls`); routers with `tls` are attached to these only. */
  readonly tlsEntryPoints?: ReadonlySet<string>;
  /** `entryPoints.<name>.http.tls.options`: the options of that entrypoint's routers without `tls`. */
  readonly entryPointTlsOptions?: ReadonlyMap<string, string>;
  /** Entrypoints of routers that name none (Traefik: those with `asDefault`, else all). */
  readonly defaultEntryPoints: readonly string[];
  readonly defaultRuleSyntax: RuleSyntax;
  /** The transport of services without a `serversTransport` (the static `serversTransport`). */
  readonly defaultTimeouts: TransportSettings;
  readonly pools: PoolRegistry;
  /** Token-signing keys fetched by `jwt` middlewares, kept across reloads (default: kept for this build only). */
  readonly keySets?: KeySetRegistry;
  /** Services provided by the gateway itself, e.g. `api@internal`, `noop@internal`. */
  readonly internalServices: ReadonlyMap<string, Handler>;
  readonly logger: Logger;
  /** The decision counters of a forwardAuth middleware, by qualified name (with Prometheus metrics on). */
  readonly authDecisions?: ((middleware: string) => AuthDecisionCounters) | undefined;
  /** The static `forwardAuthCache`: the decision cache of every forwardAuth middleware. */
  readonly forwardAuthCache?: ForwardAuthCacheConfig | undefined;
  /** Sets (true/false) or removes (undefined) `traefik_service_server_up{service,url}`, with metrics on. */
  readonly serverUp?: ((service: string, url: string, up: boolean | undefined) => void) | undefined;
  /** Server health kept across reloads (default: every build starts with all servers UP, as Traefik). */
  readonly healthMemory?: HealthMemory | undefined;
  /** `entryPoints.<name>.http.redirections` and `.middlewares` (runtime/entrypoint-http.ts). */
  readonly entryPointHttp?: EntryPointHttp | undefined;
}

/** A built configuration, ready to serve; swapped whole on reload. */
export interface Runtime {
  /** Router table per entrypoint. */
  readonly muxers: ReadonlyMap<string, Muxer>;
  readonly info: RuntimeInfo;
  /** Keys of the pools this runtime uses (the others can be closed once older runtimes drain). */
  readonly poolKeys: ReadonlySet<string>;
  /** Health checks: started when the runtime starts serving, stopped when a reload replaces it. */
  readonly tasks: readonly BackgroundTask[];
  /** TLS options and which server names get them, for the HTTPS entrypoints' handshakes. */
  readonly tls: RuntimeTls;
}

/** How deep weighted, mirroring and failover services may nest. */
const maxServiceDepth = 100;

/** Go's MaxInt - 1000: a higher explicit priority disables a router (Traefik §1.6). */
const maxPriority = Number.MAX_SAFE_INTEGER - 1000;

/** Builds a runtime from a provider's dynamic configuration. Never throws for a bad resource. */
export function buildRuntime(config: DynamicConfig, options: BuildOptions): Runtime {
  return new RuntimeBuilder(config, options).build();
}

type Built<T> = { ok: true; value: T } | { ok: false; error: string };

class RuntimeBuilder {
  readonly #config: DynamicConfig;
  readonly #options: BuildOptions;
  readonly #info: RuntimeInfo = {
    routers: new Map(),
    services: new Map(),
    middlewares: new Map(),
    serversTransports: new Map(),
  };
  readonly #poolKeys = new Set<string>();
  readonly #transports = new Map<string, TransportSettings>();
  readonly #serviceConfigs = new Map<string, ServiceConfig>();
  readonly #services = new Map<string, Built<ServiceNode>>();
  readonly #tasks: BackgroundTask[] = [];
  readonly #middlewareConfigs = new Map<string, MiddlewareConfig>();
  readonly #middlewares = new Map<string, Built<{ middleware: Middleware; members: string[] }>>();
  readonly #keySets: KeySetRegistry;
  readonly #keySources = new Set<string>();
  readonly #tls: RoutersTls;

  constructor(config: DynamicConfig, options: BuildOptions) {
    this.#config = applyEntryPointHttp(config, options.entryPointHttp, options.defaultEntryPoints);
    this.#options = options;
    this.#keySets = options.keySets ?? new KeySetRegistry();
    this.#tls = new RoutersTls(config.tls?.options, options.provider);
  }

  build(): Runtime {
    this.#buildTransports();
    this.#buildServices();
    this.#validateMiddlewares();
    const routes = this.#buildRouters();
    const tls = this.#tls.finish();
    for (const [router, conflict] of tls.conflicts) {
      const info = this.#info.routers.get(router);
      if (info) this.#warn(info, [conflict]);
      if (info?.status === 'enabled') info.status = 'warning';
      info?.errors.push(conflict);
    }
    for (const entry of routes)
      entry.route = { ...entry.route, handler: tls.guard(entry.route.name, entry.route.handler) };
    for (const warning of this.#tls.warnings)
      this.#options.logger.error({ provider: this.#options.provider }, warning);
    const muxers = new Map<string, Muxer>();
    for (const entryPoint of this.#options.entryPoints) {
      muxers.set(
        entryPoint,
        new Muxer(routes.filter((r) => r.entryPoints.includes(entryPoint)).map((r) => r.route)),
      );
    }
    // Every middleware defined is built, used or not, so its errors show up now rather than on first use.
    for (const name of this.#middlewareConfigs.keys()) this.#resolveMiddleware(name, []);
    this.#keySets.retain(this.#keySources);
    return { muxers, info: this.#info, poolKeys: this.#poolKeys, tasks: this.#tasks, tls: tls.tls };
  }

  #qualify(name: string): string {
    return qualify(name, this.#options.provider);
  }

  #describe(name: string, resource: RawResource): ResourceInfo {
    return {
      name: this.#qualify(name),
      // The entrypoints' redirection routers are `@internal`, as in Traefik.
      provider: name.includes('@') ? providerOf(name) : this.#options.provider,
      source: resource.source,
      config: (typeof resource.raw === 'object' && resource.raw !== null ? resource.raw : {}) as Record<
        string,
        unknown
      >,
      status: 'enabled',
      errors: [],
    };
  }

  #lease = (origin: string, timeouts: TransportSettings): Pool => {
    const lease = this.#options.pools.lease(origin, timeouts);
    this.#poolKeys.add(lease.key);
    return lease.pool;
  };

  #buildTransports(): void {
    for (const [name, resource] of this.#config.serversTransports) {
      const info = this.#describe(name, resource);
      this.#info.serversTransports.set(info.name, info);
      const result = validateServersTransport(resource.raw, `serversTransports.${name}`);
      this.#warn(info, result.warnings);
      if (!result.ok) {
        for (const error of result.errors) disable(info, error);
        continue;
      }
      info.config = result.value as Record<string, unknown>;
      try {
        this.#transports.set(info.name, serversTransportSettings(result.value, `serversTransports.${name}`));
      } catch (error) {
        disable(info, (error as Error).message);
      }
    }
    // Traefik's name for the static serversTransport, which services use when they name none.
    this.#transports.set('default@internal', this.#options.defaultTimeouts);
  }

  #buildServices(): void {
    for (const [name, resource] of this.#config.services) {
      const info: ServiceInfo = { ...this.#describe(name, resource), usedBy: [], type: undefined };
      this.#info.services.set(info.name, info);
      const result = validateService(resource.raw, `services.${name}`);
      this.#warn(info, result.warnings);
      if (!result.ok) {
        for (const error of result.errors) disable(info, error);
        continue;
      }
      info.config = result.value as Record<string, unknown>;
      info.type = Object.keys(result.value)[0]?.toLowerCase();
      this.#serviceConfigs.set(info.name, result.value);
    }
    for (const name of this.#serviceConfigs.keys()) this.#resolveService(name, []);
    this.#options.healthMemory?.retainUsed();
  }

  /** Builds a service once (memoised); `stack` holds the services being built above it, to refuse cycles. */
  #resolveService(name: string, stack: readonly string[]): Built<ServiceNode> {
    if (stack.includes(name)) {
      return { ok: false, error: `recursion detected in services: ${[...stack, name].join(' -> ')}` };
    }
    // A bound well under what the call stack takes, so a very deep chain is an error, never a stack overflow.
    if (stack.length >= maxServiceDepth) {
      return {
        ok: false,
        error: `services nested more than ${maxServiceDepth} deep: ${stack[0]} -> … -> ${name}`,
      };
    }
    const cached = this.#services.get(name);
    if (cached) return cached;
    const internal = this.#options.internalServices.get(name);
    if (internal) return { ok: true, value: { handle: internal, status: undefined, shadow: undefined } };
    const info = this.#info.services.get(name);
    const config = this.#serviceConfigs.get(name);
    let built: Built<ServiceNode>;
    if (info === undefined) built = { ok: false, error: `the service "${name}" does not exist` };
    else if (config === undefined) built = { ok: false, error: info.errors.join('; ') };
    else {
      try {
        const resolve = (reference: string) =>
          this.#resolveService(this.#qualify(reference), [...stack, name]);
        built =
          buildComposite(info.name, config, resolve, this.#options.provider) ??
          this.#buildService(info, config);
      } catch (error) {
        built = { ok: false, error: (error as Error).message };
      }
      if (!built.ok) disable(info, built.error);
    }
    // A cycle error depends on the path taken, so only stable results are memoised.
    if (built.ok || !built.error.startsWith('recursion detected')) this.#services.set(name, built);
    return built;
  }

  #buildService(info: ServiceInfo, config: ServiceConfig): Built<ServiceNode> {
    const lb = config.loadBalancer;
    if (lb === undefined) return { ok: false, error: 'a service needs a loadBalancer' };
    let timeouts = this.#options.defaultTimeouts;
    if (lb.serversTransport !== undefined) {
      const transportName = this.#qualify(lb.serversTransport);
      const transport = this.#transports.get(transportName);
      if (transport === undefined) {
        const defined = this.#info.serversTransports.get(transportName);
        return {
          ok: false,
          error: defined
            ? `serversTransport "${transportName}" is disabled: ${defined.errors.join('; ')}`
            : `serversTransport "${transportName}" does not exist`,
        };
      }
      timeouts = transport;
    }
    const node = loadBalancer(lb, {
      lease: this.#lease,
      timeouts,
      onError: (error, status, upstream) =>
        this.#options.logger.warn(
          { service: info.name, upstream, status, err: error },
          `upstream request failed with ${status}`,
        ),
      ...serverHealth(info, lb, this.#tasks, this.#options),
    });
    const name = info.name;
    return {
      ok: true,
      value: {
        ...node,
        handle: (exchange) => {
          exchange.log.ServiceName = name;
          return node.handle(exchange);
        },
      },
    };
  }

  #validateMiddlewares(): void {
    for (const [name, resource] of this.#config.middlewares) {
      const info: MiddlewareInfo = { ...this.#describe(name, resource), usedBy: [], type: undefined };
      this.#info.middlewares.set(info.name, info);
      const result = validateMiddleware(resource.raw, `middlewares.${name}`);
      this.#warn(info, result.warnings);
      if (!result.ok) {
        for (const error of result.errors) disable(info, error);
        continue;
      }
      info.type = result.value.type.toLowerCase();
      const options = result.value.options;
      // Plugins show as Traefik shows them: under `plugin`, with the plugin's name as the type.
      info.config =
        'plugin' in result.value
          ? { plugin: { [result.value.type]: options } }
          : { [result.value.type]: options };
      this.#middlewareConfigs.set(info.name, result.value);
    }
  }

  /** Builds a middleware once (memoised), with the names of every middleware it involves (chain members). */
  #resolveMiddleware(
    name: string,
    stack: readonly string[],
  ): Built<{ middleware: Middleware; members: string[] }> {
    const qualified = this.#qualify(name);
    if (stack.includes(qualified)) {
      return { ok: false, error: `recursion detected in chain: ${[...stack, qualified].join(' -> ')}` };
    }
    const cached = this.#middlewares.get(qualified);
    if (cached) return cached;
    const info = this.#info.middlewares.get(qualified);
    const config = this.#middlewareConfigs.get(qualified);
    let built: Built<{ middleware: Middleware; members: string[] }>;
    if (info === undefined) {
      built = { ok: false, error: `middleware "${qualified}" does not exist` };
    } else if (config === undefined) {
      built = { ok: false, error: info.errors.join('; ') };
    } else {
      const members = [qualified];
      try {
        const middleware = createMiddleware(config, {
          lease: this.#lease,
          authDecisions:
            config.type === 'forwardAuth' || config.type === 'cachedForwardAuth'
              ? this.#options.authDecisions?.(qualified)
              : undefined,
          forwardAuthCache: this.#options.forwardAuthCache,
          onError: (error, message) =>
            this.#options.logger.error({ middleware: qualified, err: error }, message),
          keyCache: (source) => {
            this.#keySources.add(source);
            return this.#keySets.get(source);
          },
          resolveService: (service) => {
            const resolved = this.#serviceHandler(this.#qualify(service));
            if (!resolved.ok) throw new Error(resolved.error);
            return resolved.value;
          },
          resolveChain: (names) =>
            names.map((member) => {
              const resolved = this.#resolveMiddleware(member, [...stack, qualified]);
              if (!resolved.ok) throw new Error(resolved.error);
              members.push(...resolved.value.members);
              return resolved.value.middleware;
            }),
        });
        built = { ok: true, value: { middleware, members } };
      } catch (error) {
        built = { ok: false, error: (error as Error).message };
        disable(info, built.error);
      }
    }
    // A recursion error depends on the path taken, so only stable results are memoised.
    if (!(built.ok === false && built.error.startsWith('recursion'))) this.#middlewares.set(qualified, built);
    else if (info) disable(info, built.error);
    return built;
  }

  #buildRouters(): { route: Route; entryPoints: string[] }[] {
    const routes: { route: Route; entryPoints: string[] }[] = [];
    for (const [name, resource] of this.#config.routers) {
      const info: RouterInfo = { ...this.#describe(name, resource), using: [], priority: 0 };
      this.#info.routers.set(info.name, info);
      const result = validateRouter(resource.raw, `routers.${name}`);
      this.#warn(info, result.warnings);
      if (!result.ok) {
        for (const error of result.errors) disable(info, error);
        continue;
      }
      const config = result.value;
      info.config = config as Record<string, unknown>;
      info.priority = config.priority !== 0 ? config.priority : defaultPriority(config.rule);

      const syntax: RuleSyntax = config.ruleSyntax === 'v2' ? 'v2' : 'v3';
      if (config.ruleSyntax !== undefined && config.ruleSyntax !== 'v2' && config.ruleSyntax !== 'v3') {
        this.#warn(info, [`routers.${name}.ruleSyntax: unknown syntax "${config.ruleSyntax}", using v3`]);
      }
      let matches: Matcher | undefined;
      try {
        matches = compileRule(
          config.rule,
          config.ruleSyntax === undefined ? this.#options.defaultRuleSyntax : syntax,
        );
      } catch (error) {
        disable(info, (error as Error).message);
      }
      if (info.priority > maxPriority && info.provider !== 'internal') {
        disable(info, `the router priority ${info.priority} exceeds the max priority ${maxPriority}`);
      }

      const serviceName = this.#qualify(config.service);
      const service = this.#serviceHandler(serviceName);
      if (!service.ok) disable(info, service.error);
      else this.#info.services.get(serviceName)?.usedBy.push(info.name);

      const middlewares: Middleware[] = [];
      for (const reference of config.middlewares) {
        const resolved = this.#resolveMiddleware(reference, []);
        if (!resolved.ok) {
          disable(info, resolved.error);
          continue;
        }
        middlewares.push(resolved.value.middleware);
        for (const member of resolved.value.members) {
          const usedBy = this.#info.middlewares.get(member)?.usedBy;
          if (usedBy && !usedBy.includes(info.name)) usedBy.push(info.name);
        }
      }

      const wanted = config.entryPoints ?? this.#options.defaultEntryPoints;
      const tlsEntryPoints = this.#options.tlsEntryPoints ?? new Set<string>();
      // A TLS router never answers plain HTTP: it only joins the entrypoints that serve HTTPS.
      const entryPoints = wanted.filter(
        (ep) =>
          this.#options.entryPoints.includes(ep) && (config.tls === undefined || tlsEntryPoints.has(ep)),
      );
      for (const missing of wanted.filter((ep) => !this.#options.entryPoints.includes(ep))) {
        info.errors.push(`entryPoint "${missing}" doesn't exist`);
        if (info.status === 'enabled') info.status = 'warning';
      }
      if (config.tls !== undefined && config.entryPoints !== undefined) {
        for (const plain of wanted.filter(
          (ep) => this.#options.entryPoints.includes(ep) && !tlsEntryPoints.has(ep),
        )) {
          info.errors.push(
            `entryPoint "${plain}" does not serve TLS (http.tls), the TLS router is not attached to it`,
          );
          if (info.status === 'enabled') info.status = 'warning';
        }
      }
      if (entryPoints.length === 0) disable(info, 'no valid entryPoint for this router');
      // On an HTTPS entrypoint every router is a TLS router (tls/routers-tls.ts says with which options).
      const secure = entryPoints.filter((ep) => tlsEntryPoints.has(ep));
      const tlsPlan = this.#tls.plan(info.name, config, secure, this.#options.entryPointTlsOptions);
      for (const error of tlsPlan.errors) disable(info, error);
      if (info.status === 'disabled' || matches === undefined || !service.ok) continue;
      for (const placement of tlsPlan.placements) this.#tls.add(placement);

      info.using = [...entryPoints].sort();
      const handler = middlewares.reduceRight<Handler>((next, middleware) => middleware(next), service.value);
      routes.push({ route: { name: info.name, priority: info.priority, matches, handler }, entryPoints });
    }
    return routes;
  }

  #serviceHandler(name: string): Built<Handler> {
    const built = this.#resolveService(name, []);
    return built.ok ? { ok: true, value: built.value.handle } : built;
  }

  #warn(info: ResourceInfo, warnings: readonly string[]): void {
    for (const warning of warnings) this.#options.logger.warn({ resource: info.name }, warning);
  }
}
