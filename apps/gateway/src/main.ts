/**
 * Runs the gateway as a process: argv and environment → static configuration → gateway, with the process
 * signals Traefik honours: SIGHUP reloads the dynamic configuration, SIGUSR1 reopens the log files (rotation),
 * SIGINT/SIGTERM stop gracefully (a second one exits at once). `node src/main.ts --configFile gateway.yml`;
 * `cli.ts` is the same as an npm bin.
 */

import cluster from 'node:cluster';
import packageJson from '../package.json' with { type: 'json' };
import { createGateway } from './app.ts';
import { type Primary, startPrimary } from './cluster/primary.ts';
import { runWorker } from './cluster/worker.ts';
import { loadStaticConfig } from './config/static-sources.ts';
import { StaticConfigError } from './errors.ts';
import { abandonStdout, createLogger, logDestination } from './observability/logger.ts';

const usage = `Usage: gateway --configFile <file.yml> [--<path.to.option>=<value> ...]

A Traefik-compatible edge gateway. Reads Traefik v3 static configuration (YAML); flags such as
--entryPoints.web.address=:9000 and variables such as GATEWAY_ENTRYPOINTS_WEB_ADDRESS=:9000 override the file.

Options:
  --configFile <file>   static configuration file (YAML)
  --help, -h            show this help
  --version             print the version
Signals: SIGHUP reloads the dynamic configuration; SIGUSR1 reopens the log files (after a rotation);
SIGINT/SIGTERM stop gracefully.
`;

/** Starts the gateway from `argv` and `env`. Resolves once it is listening (or has exited on an error). */
export async function main(
  argv: readonly string[] = process.argv.slice(2),
  env: Readonly<Record<string, string | undefined>> = process.env,
): Promise<void> {
  let loaded: Awaited<ReturnType<typeof loadStaticConfig>>;
  try {
    if (argv.includes('--help') || argv.includes('-h')) {
      process.stdout.write(usage);
      return;
    }
    if (argv.some((arg) => arg.toLowerCase() === '--version')) {
      process.stdout.write(`${packageJson.version}\n`);
      return;
    }
    loaded = await loadStaticConfig({ argv, env, cwd: process.cwd() });
  } catch (error) {
    if (!(error instanceof StaticConfigError)) throw error;
    process.stderr.write(`gateway: ${error.message}\n\n${usage}`);
    process.exitCode = 2;
    return;
  }
  const { config } = loaded;
  const logFile = config.log?.filePath;
  const logStream = logFile ? logDestination(logFile) : undefined;
  const logger = createLogger(env.LOG_LEVEL ?? config.log?.level, logStream);
  if (cluster.isWorker) {
    // The primary passes SIGUSR1 on; the worker's gateway reopens its access log (cluster/worker.ts).
    process.on('SIGUSR1', () => logStream?.reopen());
    // The primary has logged the static configuration and its warnings already.
    await runWorker({ config, env, logger });
    return;
  }
  for (const warning of loaded.warnings) logger.warn({ configFile: loaded.configFile }, warning);
  logger.info(
    {
      configFile: loaded.configFile,
      extensionsFile: loaded.extensionsFile,
      entryPoints: Object.fromEntries(Object.entries(config.entryPoints).map(([n, e]) => [n, e.address])),
    },
    'static configuration loaded',
  );

  // One process serves, or (workers: N) a primary feeds N worker processes that serve.
  let primary: Primary | undefined;
  const gateway = config.workers > 1 ? undefined : createGateway({ config, env, logger });
  const started: Promise<unknown> = gateway
    ? gateway.start()
    : startPrimary({ config, env, logger }).then((running) => {
        primary = running;
      });
  const stopServing = () => (gateway ? gateway.stop() : (primary?.stop() ?? Promise.resolve()));

  // Signals may come while the gateway is still starting: stopping then waits for the start to settle.
  let stopping = false;
  const stop = (reason: string) => {
    if (stopping) {
      logger.warn(`${reason} again: exiting now`);
      primary?.kill();
      logger.flush();
      process.exit(1);
    }
    stopping = true;
    logger.info(`${reason}: stopping gracefully`);
    started
      .catch(() => {})
      .then(stopServing)
      .then(
        () => process.exit(0),
        (error: unknown) => {
          logger.error({ err: error }, 'error while stopping');
          process.exit(1);
        },
      );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  // Traefik's log rotation: a tool such as logrotate renames the files, then sends SIGUSR1. Listening also keeps
  // Node from opening its inspector on SIGUSR1.
  process.on('SIGUSR1', () => {
    logger.info('SIGUSR1: reopening the log files');
    logStream?.reopen();
    if (gateway) gateway.reopenAccessLog();
    else primary?.reopenLogs();
  });
  // Started by a supervisor with an IPC channel (the stack launcher): if the supervisor dies, do not linger.
  // Its end of our stdout pipe went with it, so stdout is dropped first.
  if (typeof process.send === 'function') {
    const supervisorGone = () => {
      abandonStdout();
      primary?.abandonStdout();
      stop('supervisor gone');
    };
    if (process.connected) process.once('disconnect', supervisorGone);
    else supervisorGone();
  }

  try {
    await started;
  } catch (error) {
    if (stopping) return;
    logger.fatal({ err: error }, `cannot start: ${(error as Error).message}`);
    logger.flush();
    await stopServing().catch(() => {});
    process.exitCode = 1;
    return;
  }

  process.on('SIGHUP', () => {
    logger.info('SIGHUP: reloading the dynamic configuration');
    void (gateway ? gateway.reload() : primary?.reload());
  });
}

if (import.meta.main) await main();
