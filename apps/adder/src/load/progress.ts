/** The live progress line on a terminal: calls, rate, errors, elapsed time, redrawn four times a second. */

import { formatDuration } from './format.ts';
import type { Progress } from './runner.ts';

/** Starts redrawing `read()` on `stream`; the returned function stops and clears the line. */
export function showProgress(stream: NodeJS.WriteStream, read: () => Progress): () => void {
  let last = { count: 0, at: performance.now() };
  const draw = () => {
    const progress = read();
    const now = performance.now();
    const rate = ((progress.count - last.count) * 1000) / Math.max(1, now - last.at);
    last = { count: progress.count, at: now };
    const text = progress.warmingUp
      ? 'warming up…'
      : `${progress.count} calls  ${rate.toFixed(0)}/s  ${progress.errors} errors  ${formatDuration(progress.elapsedMs)}`;
    stream.write(`\r\x1b[2K${text}`);
  };
  const timer = setInterval(draw, 250);
  return () => {
    clearInterval(timer);
    stream.write('\r\x1b[2K');
  };
}
