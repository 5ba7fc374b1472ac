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

/** Creates the gateway logger, writing to `destination` (stdout by default). */
export function createLogger(level: string | undefined, destination?: DestinationStream): Logger {
  return pino(
    {
      level: pinoLevel(level),
      base: { service: 'gateway' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    destination ?? pino.destination({ dest: 1, sync: false }),
  );
}
