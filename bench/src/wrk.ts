import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** One wrk run's figures. */
export interface WrkResult {
  requestsPerSec: number;
  /** Latency percentiles in milliseconds. */
  p50: number;
  p90: number;
  p99: number;
  /** Responses that were not 2xx/3xx, plus socket errors. */
  errors: number;
  requests: number;
}

/** Options for one load run. */
export interface WrkOptions {
  url: string;
  headers?: Record<string, string>;
  connections: number;
  durationSec: number;
}

function toMs(value: string, unit: string): number {
  const n = Number(value);
  if (unit === 'us') return n / 1000;
  if (unit === 's') return n * 1000;
  return n;
}

/** Parses wrk's `--latency` report. Exported for its test. */
export function parseWrk(output: string): WrkResult {
  const percentile = (p: string) => {
    const m = output.match(new RegExp(`^\\s*${p}%\\s+([\\d.]+)(us|ms|s)\\s*$`, 'm'));
    if (!m?.[1] || !m[2]) throw new Error(`wrk output has no ${p}% latency:\n${output}`);
    return toMs(m[1], m[2]);
  };
  const rps = output.match(/^Requests\/sec:\s+([\d.]+)/m)?.[1];
  const total = output.match(/^\s*(\d+) requests in/m)?.[1];
  if (!rps || !total) throw new Error(`unexpected wrk output:\n${output}`);
  const non2xx = Number(output.match(/Non-2xx or 3xx responses:\s+(\d+)/)?.[1] ?? 0);
  const socket = output.match(/Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/);
  const socketErrors = socket ? socket.slice(1).reduce((sum, n) => sum + Number(n), 0) : 0;
  return {
    requestsPerSec: Number(rps),
    p50: percentile('50'),
    p90: percentile('90'),
    p99: percentile('99'),
    errors: non2xx + socketErrors,
    requests: Number(total),
  };
}

/** Runs wrk (one thread: the machine's other core serves) and returns its figures. */
export async function wrk(options: WrkOptions): Promise<WrkResult> {
  const args = ['-t1', `-c${options.connections}`, `-d${options.durationSec}s`, '--latency'];
  for (const [name, value] of Object.entries(options.headers ?? {})) args.push('-H', `${name}: ${value}`);
  args.push(options.url);
  const { stdout } = await run('wrk', args, { maxBuffer: 1 << 20 });
  return parseWrk(stdout);
}
