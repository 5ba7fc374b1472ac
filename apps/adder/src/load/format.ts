/** How the load client shows a time: short and readable, rounded like ghz's report (not Go's exact String). */

/** `1234.5` ms → `1.23s`, `0.52` → `520µs`, `12.34` → `12.3ms`. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return String(ms);
  if (ms < 1) return `${(ms * 1000).toFixed(0)}µs`;
  if (ms < 1000) return `${ms < 10 ? ms.toFixed(2) : ms < 100 ? ms.toFixed(1) : ms.toFixed(0)}ms`;
  return `${(ms / 1000).toFixed(2)}s`;
}
