/**
 * The gateway's own logs: pino, JSON lines, ISO time, level as a word. Traefik's levels map onto pino's
 * (`PANIC` → fatal). The level comes from `LOG_LEVEL`, then `log.level`, then `info`.
 */

import pino, { type DestinationStream, type Logger } from 'pino';

export type { Logger } from 'pino';

const traefikToPino: Readonly<Record<string, string>> = {
  trace: 'trace',
  debug: 'debug',
  info: 'info',
  warn: 'warn',
  warning: 'warn',
  error: 'error',
  fatal: 'fatal',
  panic: 'fatal',
  silent: 'silent',
};

/** The pino level for a Traefik or pino level name (case-insensitive); `info` when unknown. */
export function pinoLevel(level: string | undefined): string {
  return traefikToPino[(level ?? 'info').toLowerCase()] ?? 'info';
}

/** The asynchronous log streams on stdout, so {@link abandonStdout} can find them. */
const stdoutStreams = new Set<ReturnType<typeof pino.destination>>();

/**
 * An asynchronous pino destination: the file at `path`, or stdout when `path` is empty or undefined.
 * Writes are batched off the request path; pino flushes them at exit.
 */
export function logDestination(path?: string): ReturnType<typeof pino.destination> {
  if (path) return pino.destination({ dest: path, mkdir: true, sync: false });
  const stream = pino.destination({ dest: 1, sync: false });
  stdoutStreams.add(stream);
  return stream;
}

/**
 * Stops writing to stdout, for when whoever read it is gone (the supervisor died with its end of the pipe).
 * pino's exit-time flush would otherwise retry a write to the broken pipe forever (sonic-boom retries any
 * error there, not only EAGAIN), and the process could never exit. Log calls after this are dropped, as pino
 * itself drops them once a write has failed with EPIPE.
 */
export function abandonStdout(): void {
  const drop = () => true;
  for (const stream of stdoutStreams) {
    stream.write = drop;
    stream.flushSync = () => {};
    stream.end = () => {};
  }
}

/** Creates the gateway logger, writing to `destination` (stdout by default). */
export function createLogger(level: string | undefined, destination?: DestinationStream): Logger {
  return pino(
    {
      level: pinoLevel(level),
      base: { service: 'gateway' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    destination ?? logDestination(),
  );
}
