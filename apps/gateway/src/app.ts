/**
 * The gateway factory: builds everything a static configuration describes (entrypoints, the file provider,
 * the admin routes, logs) without listening. `start()` loads the dynamic configuration and listens;
 * `reload()` re-reads it and swaps the runtime atomically, or keeps the last good one when it is invalid;
 * `stop()` shuts down gracefully.
 */

import type { AddressInfo } from 'node:net';
import { hostname } from 'node:os';
import packageJson from '../package.json' with { type: 'json' };
import { apiHandler } from './admin/api.ts';
import { pingHandler } from './admin/ping.ts';
import { adminEntryPoint, type StaticConfig } from './config/static.ts';
import { parseAddress } from './entrypoints/address.ts';
import { forwardedHeaders } from './entrypoints/forwarded-headers.ts';
import { EntryPointServer } from './entrypoints/server.ts';
import { ProviderLoadError } from './errors.ts';
import { applyAliasHeadersStrategy } from './http/alias-headers.ts';
import { cleanPath } from './http/clean-path.ts';
import { deniedEncodings } from './http/encoded-characters.ts';
import type { Handler } from './middlewares/types.ts';
import { type AccessLog, createAccessLog, type LineSink } from './observability/access-log.ts';
import { createLogger, type Logger, logDestination } from './observability/logger.ts';
import { GatewayMetrics } from './observability/metrics.ts';
import {
  countResources,
  emptyDynamicConfig,
  fingerprint,
  type TlsSection,
} from './providers/dynamic-config.ts';
import { FileProvider } from './providers/file.ts';
import { type BuildOptions, buildRuntime, type Runtime } from './runtime/build.ts';
import { createDispatcher, type InternalRoute } from './runtime/dispatch.ts';
import type { ResourceInfo } from './runtime/info.ts';
import { RuntimeSlot } from './runtime/slot.ts';
import { PoolRegistry } from './services/pools.ts';
import { loadCertificates } from './tls/certificates.ts';
import { generateDefaultCertificate, type PemCertificate } from './tls/default-certificate.ts';

/** Options of {@link createGateway}. */
export interface GatewayOptions {
  /** The validated static configuration. */
  readonly config: StaticConfig;
  /** Environment for `{{ env "X" }}` in dynamic files. Default: `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Logger for the gateway's own logs. Default: pino on stdout at `LOG_LEVEL` / `log.level`. */
  readonly logger?: Logger;
  /** Where access-log lines go. Default: `accessLog.filePath`, else stdout. */
  readonly accessLogSink?: LineSink;
}

/** The outcome of a reload. */
export type ReloadResult =
  | { readonly ok: true; readonly changed: boolean }
  | { readonly ok: false; readonly error: Error };

/** A gateway built from a static configuration. */
export interface Gateway {
  /** Loads the dynamic configuration, listens on every entrypoint and starts watching. */
  start(): Promise<void>;
  /** Stops accepting, lets requests in flight finish, closes upstream pools. */
  stop(): Promise<void>;
  /** Re-reads the dynamic configuration now (SIGHUP). Concurrent calls are serialised. */
  reload(): Promise<ReloadResult>;
  /** The runtime serving new requests. */
  readonly runtime: Runtime;
  /** The bound address of an entrypoint, once started. */
  address(entryPoint: string): AddressInfo | undefined;
  /** `http(s)://127.0.0.1:<port>` of an entrypoint, once started (for tests and the launcher). */
  url(entryPoint: string): string;
  /** Resolves after the next reload attempt finishes (tests use it to wait for the watcher). */
  nextReload(): Promise<ReloadResult>;
}

/** Builds a gateway without listening. */
export function createGateway(options: GatewayOptions): Gateway {
  const { config } = options;
  const env = options.env ?? process.env;
  const logger = options.logger ?? createLogger(env.LOG_LEVEL ?? config.log?.level);
  const pools = new PoolRegistry();
  const startDate = new Date();
  let terminating = false;

  const entryPointNames = Object.keys(config.entryPoints);
  const asDefault = entryPointNames.filter((name) => config.entryPoints[name]?.asDefault);
  const buildOptions: BuildOptions = {
    provider: 'file',
    entryPoints: entryPointNames,
    defaultEntryPoints: asDefault.length > 0 ? asDefault : entryPointNames,
    tlsEntryPoints: new Set(
      entryPointNames.filter((name) => config.entryPoints[name]?.http?.tls !== undefined),
    ),
    defaultRuleSyntax: config.core?.defaultRuleSyntax ?? 'v3',
    defaultTimeouts: config.serversTransport?.forwardingTimeouts ?? {
      dialTimeout: 30_000,
      responseHeaderTimeout: 0,
      idleConnTimeout: 90_000,
    },
    pools,
    internalServices: new Map(),
    logger,
  };

  const slot = new RuntimeSlot(buildRuntime(emptyDynamicConfig(), buildOptions), pools);
  const api = apiHandler({
    info: () => slot.current.info,
    entryPoints: config.entryPoints,
    version: packageJson.version,
    startDate,
    providers: config.providers.file ? ['File'] : [],
    accessLog: config.accessLog !== undefined,
  });
  const ping = pingHandler(() => terminating, config.ping?.terminatingStatusCode);
  const internalServices = buildOptions.internalServices as Map<string, Handler>;
  internalServices.set('api@internal', api);
  internalServices.set('ping@internal', ping);
  // Traefik's noop handler writes nothing: an empty 200.
  internalServices.set('noop@internal', async (exchange) => exchange.send(200, ''));

  const internalRoutes = new Map<string, InternalRoute[]>();
  const addInternal = (entryPoint: string, route: InternalRoute) => {
    const routes = internalRoutes.get(entryPoint) ?? [];
    routes.push(route);
    internalRoutes.set(entryPoint, routes);
  };
  if (config.ping && !config.ping.manualRouting) {
    addInternal(config.ping.entryPoint, {
      name: 'ping@internal',
      matches: (p) => p === '/ping',
      handler: ping,
    });
  }
  if (config.api?.insecure) {
    addInternal(adminEntryPoint, {
      name: 'api@internal',
      matches: (p) => p === '/api' || p.startsWith('/api/'),
      handler: api,
    });
  }

  const prometheus = config.metrics?.prometheus;
  const metrics =
    prometheus === undefined
      ? undefined
      : new GatewayMetrics({
          buckets: prometheus.buckets?.map(Number),
          addEntryPointsLabels: prometheus.addEntryPointsLabels,
          addRoutersLabels: prometheus.addRoutersLabels,
          addServicesLabels: prometheus.addServicesLabels,
        });
  if (metrics && prometheus) {
    const serveMetrics: Handler = async (exchange) => {
      const { body, contentType } = await metrics.render();
      exchange.send(200, body, { 'content-type': contentType });
    };
    internalServices.set('prometheus@internal', serveMetrics);
    if (!prometheus.manualRouting) {
      addInternal(prometheus.entryPoint, {
        name: 'prometheus@internal',
        matches: (p) => p === '/metrics',
        handler: serveMetrics,
      });
    }
  }

  let accessLog: AccessLog | undefined;
  if (config.accessLog) {
    const sink = options.accessLogSink ?? logDestination(config.accessLog.filePath);
    accessLog = createAccessLog(config.accessLog, sink);
  }
  const dispatch = createDispatcher({
    slot,
    internalRoutes,
    accessLog,
    logInternals: config.accessLog?.addInternals === true,
    logger,
    metrics,
  });

  const serverName = hostname();
  const servers = entryPointNames.map((name) => {
    const ep = config.entryPoints[name];
    const address = parseAddress(ep?.address ?? '');
    if (ep === undefined || typeof address === 'string')
      throw new TypeError(`entrypoint ${name}: ${address}`);
    const forwarded = forwardedHeaders({
      insecure: ep.forwardedHeaders?.insecure,
      trustedIPs: ep.forwardedHeaders?.trustedIPs,
      serverName,
    });
    const denied = deniedEncodings(ep.http?.encodedCharacters);
    const sanitize = ep.http?.sanitizePath !== false;
    const aliasHeaders = ep.http?.aliasHeadersStrategy ?? 'keep';
    return new EntryPointServer({
      name,
      address,
      graceTimeOut: ep.transport?.lifeCycle?.graceTimeOut ?? 10_000,
      readTimeout: ep.transport?.respondingTimeouts?.readTimeout ?? 60_000,
      idleTimeout: ep.transport?.respondingTimeouts?.idleTimeout ?? 180_000,
      // The certificate is set at start (see below): generating one takes a moment.
      tls: ep.http?.tls !== undefined ? {} : undefined,
      prepare: (exchange) => {
        // The entrypoint's request policy: the dispatcher answers refused requests (logged and counted) with 400.
        if (denied?.(exchange.path) || !applyAliasHeadersStrategy(exchange.headers, aliasHeaders)) {
          exchange.refused = true;
          return;
        }
        if (sanitize) exchange.path = cleanPath(exchange.path);
        forwarded(exchange);
      },
      dispatch,
      onConnection: metrics ? (socket) => metrics.trackConnection(name, socket) : undefined,
      onError: (error) =>
        logger.error({ err: error, entryPoint: name }, 'unexpected error while accepting a request'),
    });
  });

  const fileConfig = config.providers.file;
  const provider = fileConfig
    ? new FileProvider({
        directory: fileConfig.directory,
        filename: fileConfig.filename,
        env,
        throttleMs: config.providers.providersThrottleDuration,
      })
    : undefined;

  const tlsServers = servers.filter((server) => server.tls);
  let generatedCertificate: PemCertificate | undefined;
  let certificatesApplied = false;
  const applyCertificates = (section: TlsSection) => {
    if (tlsServers.length === 0 || generatedCertificate === undefined) return;
    const { store, errors } = loadCertificates(section, generatedCertificate);
    for (const error of errors) logger.error({ provider: 'file' }, error);
    for (const server of tlsServers) server.setCertificates(store);
    certificatesApplied = true;
  };

  let lastFingerprint: string | undefined;
  let reloading: Promise<ReloadResult> = Promise.resolve({ ok: true, changed: false });
  let waiters: ((result: ReloadResult) => void)[] = [];

  const loadOnce = async (): Promise<ReloadResult> => {
    if (provider === undefined) return { ok: true, changed: false };
    let loaded: Awaited<ReturnType<FileProvider['load']>>;
    try {
      loaded = await provider.load();
    } catch (error) {
      const file = error instanceof ProviderLoadError ? error.file : undefined;
      logger.error(
        { provider: 'file', file, err: error },
        `configuration rejected: ${(error as Error).message}; the last good configuration keeps serving`,
      );
      return { ok: false, error: error as Error };
    }
    for (const notice of loaded.notices) logger.warn({ provider: 'file' }, notice);
    if (fileConfig?.debugLogGeneratedTemplate) {
      for (const [file, text] of loaded.rendered)
        logger.debug({ file, rendered: text }, 'generated template');
    }
    const print = fingerprint(loaded.config);
    if (print === lastFingerprint) {
      logger.debug({ provider: 'file' }, 'configuration unchanged, skipped');
      return { ok: true, changed: false };
    }
    const runtime = buildRuntime(loaded.config, buildOptions);
    slot.swap(runtime);
    applyCertificates(loaded.config.tls);
    metrics?.configApplied();
    lastFingerprint = print;
    logLoaded(logger, runtime, loaded.files.length, countResources(loaded.config));
    return { ok: true, changed: true };
  };

  const reload = (): Promise<ReloadResult> => {
    reloading = reloading.then(loadOnce, loadOnce).then((result) => {
      const pending = waiters;
      waiters = [];
      for (const resolve of pending) resolve(result);
      return result;
    });
    return reloading;
  };

  return {
    async start() {
      if (tlsServers.length > 0) {
        generatedCertificate = await generateDefaultCertificate();
        logger.info(
          {
            entryPoints: tlsServers.map((server) => server.name),
            fingerprint256: generatedCertificate.fingerprint256,
          },
          'generated a self-signed certificate for localhost, served when no configured certificate applies',
        );
      }
      await reload();
      // No provider, or a first configuration that was rejected: serve the generated certificate.
      if (!certificatesApplied) applyCertificates(emptyDynamicConfig().tls);
      await Promise.all(servers.map((server) => server.listen()));
      for (const server of servers) {
        const address = server.address;
        logger.info(
          { entryPoint: server.name, address: address?.address, port: address?.port },
          'entrypoint listening',
        );
      }
      if (provider && fileConfig?.watch) {
        provider.watch(
          () => void reload(),
          (error) => logger.error({ err: error }, 'file provider: watching failed'),
        );
      }
    },
    async stop() {
      terminating = true;
      provider?.close();
      await Promise.all(servers.map((server) => server.close()));
      await pools.close();
      logger.info('gateway stopped');
      logger.flush();
    },
    reload,
    get runtime() {
      return slot.current;
    },
    address(entryPoint) {
      return servers.find((server) => server.name === entryPoint)?.address;
    },
    url(entryPoint) {
      const address = servers.find((server) => server.name === entryPoint)?.address;
      if (address === undefined) throw new Error(`entrypoint ${entryPoint} is not listening`);
      const host =
        address.family === 'IPv6'
          ? `[${address.address === '::' ? '::1' : address.address}]`
          : address.address === '0.0.0.0'
            ? '127.0.0.1'
            : address.address;
      const scheme = servers.find((server) => server.name === entryPoint)?.tls ? 'https' : 'http';
      return `${scheme}://${host}:${address.port}`;
    },
    nextReload() {
      return new Promise((resolve) => waiters.push(resolve));
    },
  };
}

function logLoaded(logger: Logger, runtime: Runtime, files: number, defined: Record<string, number>): void {
  const tally = (items: Iterable<ResourceInfo>) => {
    let enabled = 0;
    let disabled = 0;
    for (const item of items) {
      if (item.status === 'disabled') disabled++;
      else enabled++;
    }
    return { enabled, disabled };
  };
  const routers = tally(runtime.info.routers.values());
  const services = tally(runtime.info.services.values());
  const middlewares = tally(runtime.info.middlewares.values());
  for (const kind of ['routers', 'services', 'middlewares', 'serversTransports'] as const) {
    for (const info of runtime.info[kind].values()) {
      if (info.status === 'disabled') {
        logger.error(
          { resource: info.name, source: info.source, errors: info.errors },
          `${info.name} disabled: ${info.errors.join('; ')}`,
        );
      } else if (info.status === 'warning') {
        logger.warn(
          { resource: info.name, source: info.source, errors: info.errors },
          `${info.name}: ${info.errors.join('; ')}`,
        );
      }
    }
  }
  logger.info(
    { provider: 'file', files, defined, routers, services, middlewares },
    `configuration loaded: ${files} file(s), ${defined.routers} routers (${routers.disabled} disabled), ` +
      `${defined.services} services (${services.disabled} disabled), ${defined.middlewares} middlewares ` +
      `(${middlewares.disabled} disabled)`,
  );
}
