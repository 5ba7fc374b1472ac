/**
 * Where access-log lines go (`accessLog.filePath`, else stdout) and when they are written (`bufferingSize`).
 *
 * - Lines are gathered and handed to the file as one write: those of one event-loop turn by default (under load
 *   one `write(2)` carries many lines, while a lone request's line still goes out at once), or up to
 *   `bufferingSize` lines (Traefik: "the number of log lines kept in memory before writing them"), written when
 *   that many are waiting or a second after the first of them, whichever comes first.
 * - `reopen()` is Traefik's answer to SIGUSR1: the file is closed and opened again at the same path, so a
 *   rotation tool can rename it first; lines written meanwhile go to the new file, none is lost.
 * - `close()` writes what is waiting and closes the file (the gateway stopping).
 */

import { once } from 'node:events';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import pino from 'pino';
import { logDestination } from './logger.ts';

/** Where access-log lines go. */
export interface LineSink {
  write(line: string): unknown;
}

/** The access log's output. */
export interface AccessLogOutput extends LineSink {
  /** Writes what is waiting now. */
  flush(): void;
  /** Closes the file and opens it again at the same path (log rotation); nothing for stdout. */
  reopen(): void;
  /** Writes what is waiting and closes the file. */
  close(): Promise<void>;
  /**
   * Why `filePath` cannot be written, found when the output was made (Traefik refuses to start then; so does
   * the gateway's `start()`). Lines written meanwhile are dropped.
   */
  readonly failure: Error | undefined;
}

/** The longest a line waits in memory when `bufferingSize` is set. */
const bufferingDelayMs = 1000;

/**
 * Gathers lines and hands them to `destination` in one write: at the end of the event-loop turn, or, with
 * `bufferingSize` > 0, once that many lines are waiting or {@link bufferingDelayMs} after the first one.
 */
export function batchedSink(destination: LineSink, bufferingSize = 0): LineSink & { flush(): void } {
  let pending = '';
  let count = 0;
  let timer: NodeJS.Timeout | undefined;
  let scheduled = false;
  const flush = () => {
    scheduled = false;
    if (timer !== undefined) {
      clearTimeout(timer);
      timer = undefined;
    }
    if (pending === '') return;
    const chunk = pending;
    pending = '';
    count = 0;
    destination.write(chunk);
  };
  return {
    write(line) {
      pending += line;
      if (bufferingSize > 0) {
        if (++count >= bufferingSize) flush();
        else if (timer === undefined) {
          timer = setTimeout(flush, bufferingDelayMs);
          timer.unref();
        }
        return;
      }
      if (!scheduled) {
        scheduled = true;
        setImmediate(flush);
      }
    },
    flush,
  };
}

/** Options of {@link accessLogOutput}. */
export interface AccessLogOutputOptions {
  readonly filePath?: string;
  readonly bufferingSize?: number;
  /** Told when writing to the file fails later (a full disk); the log goes on. */
  readonly onError?: (error: Error) => void;
}

/** The output for `accessLog`: `filePath` (created with its directory) or stdout, buffered as configured. */
export function accessLogOutput(options: AccessLogOutputOptions): AccessLogOutput {
  const path = options.filePath;
  const failure = path ? cannotWrite(path) : undefined;
  const file =
    path && failure === undefined ? pino.destination({ dest: path, mkdir: true, sync: false }) : undefined;
  if (file !== undefined) {
    // pino emits a write error twice (its own listener passes it on): reported once.
    let last: unknown;
    file.on('error', (error: Error) => {
      if (error !== last) options.onError?.(error);
      last = error;
    });
  }
  const stream = file ?? (failure === undefined ? logDestination() : { write: () => true });
  const sink = batchedSink(stream, options.bufferingSize ?? 0);
  let reopened: Promise<unknown> | undefined;
  return {
    write: sink.write,
    flush: sink.flush,
    reopen() {
      if (file === undefined) return;
      // The lines written before the signal belong to the file being rotated away.
      sink.flush();
      reopened = once(file, 'ready');
      file.reopen();
    },
    async close() {
      sink.flush();
      if (file === undefined) return;
      // sonic-boom loses an end() that comes while a reopen waits for a write to finish.
      await reopened;
      const closed = once(file, 'close');
      file.end();
      await closed;
    },
    failure,
  };
}

/** Opens `path` for appending now (creating its directory), so that a path that cannot be written stops the start. */
function cannotWrite(path: string): Error | undefined {
  try {
    mkdirSync(dirname(path), { recursive: true });
    closeSync(openSync(path, 'a'));
    return undefined;
  } catch (error) {
    return new Error(`accessLog.filePath: cannot write ${path}: ${(error as Error).message}`);
  }
}
