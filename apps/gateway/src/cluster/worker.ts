/**
 * One worker of `workers: N` (cluster/primary.ts): a whole gateway (routers, middlewares, pools, access log,
 * metrics), except that its dynamic configuration comes from the primary instead of its own file provider. Worker
 * 1 listens on every entrypoint; the others leave out the admin entrypoint when it serves the API or `/metrics`,
 * which show one view: worker 1's runtime (every worker applies the same configuration) and, for `/metrics`, the
 * sum of every worker's registry, which worker 1 asks the primary for. Each worker keeps its own log lines,
 * tagged `worker`, and its own keep-alive pools.
 *
 * Signals: the primary sends SIGTERM to stop (the worker drains as a lone gateway does); SIGINT and SIGHUP,
 * which a terminal sends to the whole process group, are the primary's to act on.
 */

import { AggregatorRegistry } from 'prom-client';
import { createGateway } from '../app.ts';
import { adminEntryPoint, type StaticConfig } from '../config/static.ts';
import { abandonStdout, type Logger } from '../observability/logger.ts';
import type { LoadedConfig } from '../runtime/reloader.ts';
import type { PemCertificate } from '../tls/default-certificate.ts';
import { isGatewayMessage, type ToPrimary, type ToWorker, WORKER_INDEX_VARIABLE } from './messages.ts';

/** What {@link runWorker} needs. */
export interface WorkerOptions {
  readonly config: StaticConfig;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly logger: Logger;
}

/** Starts this worker's gateway once the primary has sent what it needs. Exits the process on SIGTERM. */
export async function runWorker(options: WorkerOptions): Promise<void> {
  const { config } = options;
  const index = Number(options.env[WORKER_INDEX_VARIABLE] ?? '1');
  const logger = options.logger.child({ worker: index });
  const toPrimary = (message: ToPrimary) => process.send?.(message);

  let init: (certificate: PemCertificate | undefined) => void = () => {};
  const initialised = new Promise<PemCertificate | undefined>((resolve) => {
    init = resolve;
  });
  // The configuration the primary sent last; load() waits for the first one.
  let latest: LoadedConfig | undefined;
  let configured: () => void = () => {};
  const firstConfig = new Promise<void>((resolve) => {
    configured = resolve;
  });
  const metricsAnswers = new Map<number, (message: Extract<ToWorker, { type: 'gateway:metrics' }>) => void>();

  let onConfig: () => void = () => {};
  process.on('message', (message: unknown) => {
    if (!isGatewayMessage<ToWorker>(message)) return;
    switch (message.type) {
      case 'gateway:init':
        init(message.defaultCertificate);
        break;
      case 'gateway:config':
        latest = message.loaded;
        configured();
        onConfig();
        break;
      case 'gateway:metrics':
        metricsAnswers.get(message.id)?.(message);
        metricsAnswers.delete(message.id);
        break;
      case 'gateway:abandon-stdout':
        abandonStdout();
        break;
    }
  });

  toPrimary({ type: 'gateway:hello' });

  const adminOnly = new Set<string>();
  if (config.api?.insecure) adminOnly.add(adminEntryPoint);
  if (config.metrics?.prometheus) adminOnly.add(config.metrics.prometheus.entryPoint);
  const gateway = createGateway({
    config,
    env: options.env,
    logger,
    source: {
      load: async () => {
        await firstConfig;
        return latest as LoadedConfig;
      },
    },
    defaultCertificate: await initialised,
    listens: (entryPoint) => index === 1 || !adminOnly.has(entryPoint),
  });
  const { metrics } = gateway;
  if (metrics) {
    // Answers the primary's requests for this worker's figures (prom-client's cluster messages).
    new AggregatorRegistry();
    AggregatorRegistry.setRegistries([metrics.registry]);
    let nextId = 0;
    metrics.useRenderer(
      () =>
        new Promise((resolve, reject) => {
          const id = nextId++;
          const timer = setTimeout(() => {
            metricsAnswers.delete(id);
            reject(new Error('the primary did not send the metrics in time'));
          }, 5000);
          metricsAnswers.set(id, (answer) => {
            clearTimeout(timer);
            if (answer.body === undefined) reject(new Error(answer.error ?? 'no metrics'));
            else resolve({ body: answer.body, contentType: answer.contentType ?? 'text/plain' });
          });
          toPrimary({ type: 'gateway:metrics?', id });
        }),
    );
  }

  let stopping = false;
  const stop = (reason: string) => {
    if (stopping) return;
    stopping = true;
    logger.info(`${reason}: stopping gracefully`);
    started
      .catch(() => {})
      .then(() => gateway.stop())
      .then(
        () => process.exit(0),
        (error: unknown) => {
          logger.error({ err: error }, 'error while stopping');
          process.exit(1);
        },
      );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => {});
  process.on('SIGHUP', () => {});
  process.on('SIGUSR1', () => gateway.reopenAccessLog());
  process.once('disconnect', () => stop('primary gone'));

  const started = gateway.start();
  try {
    await started;
  } catch (error) {
    logger.fatal({ err: error }, `cannot start: ${(error as Error).message}`);
    logger.flush();
    await gateway.stop().catch(() => {});
    process.exit(1);
  }
  // Every later configuration: loaded again through the reloader, which skips one that changes nothing.
  onConfig = () => void gateway.reload();
  // One may have come while this worker was starting.
  onConfig();
  toPrimary({ type: 'gateway:listening' });
}
