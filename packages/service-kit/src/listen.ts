import type { Service } from './service.ts';

/** Where a service listens. */
export interface ListenOptions {
  host: string;
  port: number;
  /** How long in-flight requests may take to finish on SIGTERM/SIGINT before the process exits anyway. */
  shutdownGraceMs?: number;
}

/**
 * Listens and wires graceful shutdown: on SIGTERM or SIGINT the service stops accepting connections,
 * lets in-flight requests finish (up to the grace period), then exits 0.
 */
export async function listen(app: Service, options: ListenOptions): Promise<string> {
  const address = await app.listen({ host: options.host, port: options.port });
  let closing = false;
  const shutdown = (signal: NodeJS.Signals) => {
    if (closing) return;
    closing = true;
    app.log.info({ signal }, 'shutting down');
    const timer = setTimeout(() => {
      app.log.warn('grace period over; exiting with requests in flight');
      process.exit(1);
    }, options.shutdownGraceMs ?? 10_000);
    timer.unref();
    app.close().then(
      () => process.exit(0),
      (err: unknown) => {
        app.log.error({ err }, 'error while closing');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
  // Started by a supervisor with an IPC channel (the stack launcher): if the supervisor dies, do not linger as an orphan.
  // It may have died while we were starting, before this listener existed.
  if (typeof process.send === 'function') {
    if (process.connected) process.once('disconnect', () => shutdown('SIGTERM'));
    else shutdown('SIGTERM');
  }
  return address;
}

/**
 * Runs a service's `main`: reports a start-up failure (bad environment, port in use) as one clear line and exit code 1
 * instead of a stack trace.
 */
export function runMain(name: string, main: () => Promise<void>): void {
  main().catch((err: unknown) => {
    const message = err instanceof Error ? err.message : String(err);
    // Errors that already name the service (EnvError) are not prefixed twice.
    const line = message.startsWith(`${name}: `) ? message : `${name}: ${message}`;
    process.stderr.write(`${line.replace(`${name}: `, `${name}: failed to start: `)}\n`);
    process.exit(1);
  });
}
