/**
 * The gateway factory: builds everything a static configuration describes (entrypoints, the file provider,
 * the internal routes, logs) without listening, and wires the parts together. `start()` loads the dynamic
 * configuration and listens; `reload()` re-reads it (runtime/reloader.ts); `stop()` shuts down gracefully.
 */

import type { AddressInfo } from 'node:net';
import { dirname } from 'node:path';
import packageJson from '../package.json' with { type: 'json' };
import { ConfigHistory } from './admin/dashboard/history.ts';
import { createInternals } from './admin/internal-routes.ts';
import { countResources, emptyDynamicConfig } from './config/dynamic-config.ts';
import type { StaticConfig } from './config/static.ts';
import { createEntryPoints } from './entrypoints/from-config.ts';
import { StaticConfigError } from './errors.ts';
import { KeySetRegistry } from './middlewares/jwt/key-sets.ts';
import { type AccessLog, createAccessLog, type LineSink } from './observability/access-log.ts';
import { type AccessLogOutput, accessLogOutput } from './observability/access-log-file.ts';
import { authDecisionMetrics } from './observability/auth-decisions.ts';
import { logLoaded } from './observability/load-log.ts';
import { createLogger, type Logger } from './observability/logger.ts';
import { GatewayMetrics } from './observability/metrics.ts';
import { FileProvider } from './providers/file.ts';
import { type BuildOptions, buildRuntime, type Runtime } from './runtime/build.ts';
import { createDispatcher } from './runtime/dispatch.ts';
import { entryPointHttp } from './runtime/entrypoint-http.ts';
import { qualify } from './runtime/names.ts';
import { type ConfigSource, Reloader, type ReloadResult } from './runtime/reloader.ts';
import { RuntimeSlot } from './runtime/slot.ts';
import { HealthMemory } from './services/health-memory.ts';
import { PoolRegistry } from './services/pools.ts';
import { defaultTransportSettings } from './services/transports.ts';
import { CertificateApplier } from './tls/apply.ts';
import type { PemCertificate } from './tls/default-certificate.ts';

export type { ReloadResult } from './runtime/reloader.ts';

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
  /**
   * Where the dynamic configuration comes from, instead of `providers.file` (a worker gets it from the primary,
   * which reads and watches the files: cluster/worker.ts). Nothing is watched then; `reload()` loads from it.
   */
  readonly source?: ConfigSource;
  /** The self-signed default certificate, instead of one generated here (so every worker serves the same). */
  readonly defaultCertificate?: PemCertificate;
  /** Which entrypoints this process listens on. Default: every one. */
  readonly listens?: (entryPoint: string) => boolean;
}

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
  /** Closes and reopens `accessLog.filePath` (SIGUSR1, after a rotation tool renamed it). */
  reopenAccessLog(): void;
  /** The Prometheus metrics, when `metrics.prometheus` is set. */
  readonly metrics: GatewayMetrics | undefined;
}

/** Builds a gateway without listening. */
export function createGateway(options: GatewayOptions): Gateway {
  const { config } = options;
  const env = options.env ?? process.env;
  const logger = options.logger ?? createLogger(env.LOG_LEVEL ?? config.log?.level);
  const pools = new PoolRegistry();
  let terminating = false;

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

  const fileConfig = config.providers.file;
  // The API reads the slot, which is created just below: info() only runs once requests arrive or loads end.
  const history = new ConfigHistory({
    info: () => slot.current.info,
    base: fileConfig?.directory ?? (fileConfig?.filename ? dirname(fileConfig.filename) : undefined),
  });
  const internals = createInternals(config, {
    info: () => slot.current.info,
    terminating: () => terminating,
    metrics,
    version: packageJson.version,
    startDate: new Date(),
    history,
  });
  metrics?.useRouterServices((router) => {
    const info = slot.current.info.routers.get(router);
    const service = info?.config.service;
    return info && typeof service === 'string' ? qualify(service, info.provider) : undefined;
  });
  const buildOptions = runtimeBuildOptions(config, {
    pools,
    internals: internals.services,
    logger,
    authDecisions: metrics ? authDecisionMetrics(metrics.registry) : undefined,
    serverUp: metrics ? (service, url, up) => metrics.serverUp(service, url, up) : undefined,
  });
  const slot = new RuntimeSlot(buildRuntime(emptyDynamicConfig(), buildOptions), pools);

  let accessLog: AccessLog | undefined;
  let accessLogFile: AccessLogOutput | undefined;
  if (config.accessLog) {
    let sink = options.accessLogSink;
    if (sink === undefined) {
      accessLogFile = accessLogOutput({
        ...config.accessLog,
        onError: (error) => logger.error({ err: error }, 'access log: writing to the file failed'),
      });
      sink = accessLogFile;
    }
    accessLog = createAccessLog(config.accessLog, sink);
  }
  const dispatch = createDispatcher({
    slot,
    internalRoutes: internals.routes,
    accessLog,
    logInternals: config.accessLog?.addInternals === true,
    logger,
    metrics,
  });
  const listens = options.listens ?? (() => true);
  const servers = createEntryPoints(config, { dispatch, metrics, logger }).filter((server) =>
    listens(server.name),
  );
  const certificates = new CertificateApplier(
    servers.filter((server) => server.tls),
    logger,
  );

  const provider =
    fileConfig && options.source === undefined
      ? new FileProvider({
          directory: fileConfig.directory,
          filename: fileConfig.filename,
          env,
          throttleMs: config.providers.providersThrottleDuration,
        })
      : undefined;
  const reloader = new Reloader({
    source: options.source ?? provider,
    logger,
    logRenderedTemplates: fileConfig?.debugLogGeneratedTemplate,
    onOutcome: (outcome) => history.record(outcome),
    apply: (loaded) => {
      const runtime = buildRuntime(loaded.config, buildOptions);
      slot.swap(runtime);
      certificates.apply(loaded.config.tls, runtime.tls);
      metrics?.configApplied();
      logLoaded(logger, {
        files: loaded.files.length,
        defined: countResources(loaded.config),
        info: runtime.info,
      });
    },
  });
  const reload = () => reloader.reload();
  const find = (entryPoint: string) => servers.find((server) => server.name === entryPoint);

  return {
    async start() {
      if (accessLogFile?.failure) throw accessLogFile.failure;
      await certificates.generateDefault(options.defaultCertificate);
      await reload();
      certificates.applyDefaultIfNone();
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
      internals.close();
      slot.close();
      await Promise.all(servers.map((server) => server.close()));
      await pools.close();
      await accessLogFile?.close();
      logger.info('gateway stopped');
      logger.flush();
    },
    reload,
    get runtime() {
      return slot.current;
    },
    address(entryPoint) {
      return find(entryPoint)?.address;
    },
    url(entryPoint) {
      const server = find(entryPoint);
      const address = server?.address;
      if (address === undefined) throw new Error(`entrypoint ${entryPoint} is not listening`);
      const host =
        address.family === 'IPv6'
          ? `[${address.address === '::' ? '::1' : address.address}]`
          : address.address === '0.0.0.0'
            ? '127.0.0.1'
            : address.address;
      return `${server?.tls ? 'https' : 'http'}://${host}:${address.port}`;
    },
    nextReload() {
      return reloader.nextReload();
    },
    reopenAccessLog() {
      accessLogFile?.reopen();
    },
    metrics,
  };
}

/** The static serversTransport's settings; a CA file that cannot be read stops the start. */
function staticTransport(config: StaticConfig): BuildOptions['defaultTimeouts'] {
  try {
    return defaultTransportSettings(config.serversTransport);
  } catch (error) {
    throw new StaticConfigError([(error as Error).message]);
  }
}

/** What every build of this gateway's runtime shares: entrypoints, defaults, pools, internal services. */
function runtimeBuildOptions(
  config: StaticConfig,
  deps: Pick<BuildOptions, 'pools' | 'logger' | 'authDecisions' | 'serverUp'> & {
    internals: BuildOptions['internalServices'];
  },
): BuildOptions {
  const names = Object.keys(config.entryPoints);
  const asDefault = names.filter((name) => config.entryPoints[name]?.asDefault);
  return {
    provider: 'file',
    entryPoints: names,
    defaultEntryPoints: asDefault.length > 0 ? asDefault : names,
    tlsEntryPoints: new Set(names.filter((name) => config.entryPoints[name]?.http?.tls !== undefined)),
    entryPointTlsOptions: new Map(
      names.flatMap((name) => {
        const options = config.entryPoints[name]?.http?.tls?.options;
        return options === undefined ? [] : [[name, options] as const];
      }),
    ),
    defaultRuleSyntax: config.core?.defaultRuleSyntax ?? 'v3',
    defaultTimeouts: staticTransport(config),
    pools: deps.pools,
    keySets: new KeySetRegistry(),
    internalServices: deps.internals,
    logger: deps.logger,
    authDecisions: deps.authDecisions,
    serverUp: deps.serverUp,
    healthMemory: new HealthMemory(),
    forwardAuthCache: config.forwardAuthCache,
    entryPointHttp: entryPointHttp(config.entryPoints),
  };
}
