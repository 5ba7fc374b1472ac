/** The live progress line on a terminal: calls, rate, errors, elapsed time, redrawn four times a second. */

import { formatDuration } from './format.ts';
import type { Progress } from './runner.ts';

/**
 * How far back the shown rate looks. A rate from one 250 ms redraw to the next counts one call or none at
 * `--rps 1` (4/s, 0/s, ...); over five seconds the count is off by one call at most.
 */
const RATE_WINDOW_MS = 5000;

/**
 * No rate is shown before this much of the run: the first call goes out at once, so one call after 250 ms
 * would read as 4/s. From two seconds on, the average since the start is at most one call high (1.5/s at
 * `--rps 1`, falling to 1.0/s when the window fills).
 */
const RATE_MIN_SPAN_MS = 2000;

/**
 * Calls completed per second over the last {@link RATE_WINDOW_MS} of the run, measured on the run's own clock
 * (`elapsedMs`, zero when measuring starts), so the first seconds divide by the time since the start rather
 * than by a window that has not filled yet.
 */
export class RateMeter {
  #samples: Array<{ readonly at: number; readonly count: number }> = [{ at: 0, count: 0 }];

  /** Records the count at `elapsedMs`; returns the rate per second, or `undefined` while too early to tell. */
  observe(elapsedMs: number, count: number): number | undefined {
    const last = this.#samples.at(-1);
    // The clock went back: a new measuring phase (after the warm-up) starts from zero.
    if (last === undefined || elapsedMs < last.at) this.reset();
    this.#samples.push({ at: elapsedMs, count });
    // Keep as the reference the newest sample at least a window old (or the start, while younger).
    while ((this.#samples[1]?.at ?? Number.POSITIVE_INFINITY) <= elapsedMs - RATE_WINDOW_MS)
      this.#samples.shift();
    const reference = this.#samples[0] ?? { at: 0, count: 0 };
    if (elapsedMs < RATE_MIN_SPAN_MS) return undefined;
    return ((count - reference.count) * 1000) / (elapsedMs - reference.at);
  }

  /** Forgets every sample: the next one starts a new run. */
  reset(): void {
    this.#samples = [{ at: 0, count: 0 }];
  }
}

function formatRate(rate: number | undefined): string {
  if (rate === undefined) return '–/s';
  // One decimal where a whole number would hide the rate itself (0.5/s, 2.5/s).
  return `${rate < 10 ? rate.toFixed(1) : rate.toFixed(0)}/s`;
}

/** Starts redrawing `read()` on `stream`; the returned function stops and clears the line. */
export function showProgress(stream: NodeJS.WriteStream, read: () => Progress): () => void {
  const meter = new RateMeter();
  const draw = () => {
    const progress = read();
    if (progress.warmingUp) {
      meter.reset();
      stream.write('\r\x1b[2Kwarming up…');
      return;
    }
    const rate = formatRate(meter.observe(progress.elapsedMs, progress.count));
    stream.write(
      `\r\x1b[2K${progress.count} calls  ${rate}  ${progress.errors} errors  ${formatDuration(progress.elapsedMs)}`,
    );
  };
  const timer = setInterval(draw, 250);
  return () => {
    clearInterval(timer);
    stream.write('\r\x1b[2K');
  };
}
