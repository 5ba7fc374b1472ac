/**
 * `workers: N` (N > 1): the gateway as nginx runs with `worker_processes N`, on node:cluster. The primary serves
 * no request. It reads and watches the dynamic configuration (one file provider, one reloader: every worker
 * gets the same configuration, never a half-written file another worker missed), sends each load to every
 * worker, answers SIGHUP, generates the default certificate once (every worker serves the same), sums the
 * workers' metrics for `/metrics`, replaces a worker that dies, and on SIGTERM/SIGINT tells every worker to drain
 * and waits for them.
 *
 * Connections are dealt to workers round-robin by the primary (Node's default scheduling on Linux): even for
 * keep-alive clients, which is how the gateway is mostly used; each new connection costs the primary a handoff.
 * Worker 1 also listens on the admin entrypoint (`/api`, `/dashboard/`, `/metrics`); see cluster/worker.ts.
 */

import cluster, { type Worker } from 'node:cluster';
import { AggregatorRegistry } from 'prom-client';
import { emptyDynamicConfig } from '../config/dynamic-config.ts';
import type { StaticConfig } from '../config/static.ts';
import type { Logger } from '../observability/logger.ts';
import { FileProvider } from '../providers/file.ts';
import { type LoadedConfig, Reloader } from '../runtime/reloader.ts';
import { generateDefaultCertificate, type PemCertificate } from '../tls/default-certificate.ts';
import { isGatewayMessage, type ToPrimary, type ToWorker, WORKER_INDEX_VARIABLE } from './messages.ts';

/** What {@link startPrimary} needs. */
export interface PrimaryOptions {
  readonly config: StaticConfig;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly logger: Logger;
  /** How long to wait before replacing a worker that died, ms (default 1 s). */
  readonly respawnDelay?: number;
}

/** The running primary. */
export interface Primary {
  /** Loads the dynamic configuration again and sends it to every worker (SIGHUP). */
  reload(): Promise<void>;
  /** Tells every worker to stop (they drain their requests) and resolves once all have exited. */
  stop(signal?: NodeJS.Signals): Promise<void>;
  /** Kills the workers at once (a second signal). */
  kill(): void;
  /** Tells the workers that stdout is gone, so they stop writing to it. */
  abandonStdout(): void;
  /** Passes SIGUSR1 on to every worker: each reopens its access-log file (log rotation). */
  reopenLogs(): void;
}

/** Forks the workers and feeds them the configuration. Resolves once every worker listens. */
export async function startPrimary(options: PrimaryOptions): Promise<Primary> {
  const { config, logger } = options;
  const count = config.workers;
  cluster.setupPrimary({ serialization: 'advanced' });
  // Sums what every worker's registry holds when a worker asks (cluster/worker.ts serves /metrics with it).
  const aggregator = config.metrics?.prometheus ? new AggregatorRegistry() : undefined;

  const tls = Object.values(config.entryPoints).some((entryPoint) => entryPoint.http?.tls !== undefined);
  const defaultCertificate: PemCertificate | undefined = tls ? await generateDefaultCertificate() : undefined;

  const fileConfig = config.providers.file;
  const provider = fileConfig
    ? new FileProvider({
        directory: fileConfig.directory,
        filename: fileConfig.filename,
        env: options.env,
        throttleMs: config.providers.providersThrottleDuration,
      })
    : undefined;
  // Workers build their runtime from this; until a load succeeds, from nothing (as a single process does).
  let latest: LoadedConfig = { config: emptyDynamicConfig(), notices: [], files: [], rendered: new Map() };
  const workers = new Map<number, Worker>();
  const send = (worker: Worker, message: ToWorker) => {
    if (worker.isConnected()) worker.send(message);
  };
  const reloader = new Reloader({
    source: provider,
    logger,
    logRenderedTemplates: fileConfig?.debugLogGeneratedTemplate,
    apply: (loaded) => {
      // The rendered text stays here: the primary logs it (debugLogGeneratedTemplate), workers need none.
      latest = { config: loaded.config, notices: [], files: loaded.files, rendered: new Map() };
      for (const worker of workers.values()) send(worker, { type: 'gateway:config', loaded: latest });
    },
  });
  await reloader.reload();

  let stopping = false;
  const listening = new Set<number>();
  let allListening: () => void = () => {};
  let failedToStart: (error: Error) => void = () => {};
  const ready = new Promise<void>((resolve, reject) => {
    allListening = resolve;
    failedToStart = reject;
  });

  const fork = (index: number) => {
    const worker = cluster.fork({ [WORKER_INDEX_VARIABLE]: String(index) });
    workers.set(index, worker);
    worker.on('message', (message: unknown) => {
      if (!isGatewayMessage<ToPrimary>(message)) return;
      if (message.type === 'gateway:hello') {
        send(worker, { type: 'gateway:init', defaultCertificate });
        send(worker, { type: 'gateway:config', loaded: latest });
      } else if (message.type === 'gateway:listening') {
        logger.info({ worker: index, pid: worker.process.pid }, 'worker listening');
        listening.add(index);
        if (listening.size === count) allListening();
      } else if (message.type === 'gateway:metrics?') {
        const reply = (answer: Omit<Extract<ToWorker, { type: 'gateway:metrics' }>, 'type' | 'id'>) =>
          send(worker, { type: 'gateway:metrics', id: message.id, ...answer });
        if (aggregator === undefined) reply({ error: 'metrics are off' });
        else
          aggregator.clusterMetrics().then(
            (body) => reply({ body, contentType: aggregator.contentType }),
            (error: Error) => reply({ error: error.message }),
          );
      }
    });
    worker.on('exit', (code, signal) => {
      if (workers.get(index) === worker) workers.delete(index);
      if (stopping) return;
      if (listening.size < count) {
        // At start, as a lone gateway that cannot listen: give up rather than retry forever.
        failedToStart(new Error(`worker ${index} exited (${signal ?? code}) before it listened`));
        return;
      }
      logger.error(
        { worker: index, pid: worker.process.pid, code, signal },
        `worker ${index} exited; starting another in its place`,
      );
      setTimeout(() => {
        if (!stopping) fork(index);
      }, options.respawnDelay ?? 1000).unref();
    });
  };
  for (let index = 1; index <= count; index++) fork(index);
  logger.info({ workers: count }, `started ${count} workers`);

  const watching = provider && fileConfig?.watch;
  if (watching) {
    provider.watch(
      () => void reloader.reload(),
      (error) => logger.error({ err: error }, 'file provider: watching failed'),
    );
  }

  const primary: Primary = {
    async reload() {
      await reloader.reload();
    },
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      stopping = true;
      provider?.close();
      const exits = [...workers.values()].map(
        (worker) =>
          new Promise<void>((resolve) => {
            if (worker.isDead()) resolve();
            else worker.once('exit', () => resolve());
          }),
      );
      // A signal, not cluster's disconnect(): each worker drains its connections as a lone gateway does.
      for (const worker of workers.values()) worker.process.kill(signal);
      await Promise.all(exits);
    },
    kill() {
      stopping = true;
      for (const worker of workers.values()) worker.process.kill('SIGKILL');
    },
    abandonStdout() {
      for (const worker of workers.values()) send(worker, { type: 'gateway:abandon-stdout' });
    },
    reopenLogs() {
      for (const worker of workers.values()) worker.process.kill('SIGUSR1');
    },
  };
  try {
    await ready;
  } catch (error) {
    await primary.stop();
    throw error;
  }
  return primary;
}
