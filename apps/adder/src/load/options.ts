/** The load client's command line, parsed and checked before anything connects. */

import { parseArgs } from 'node:util';
import { GoDurationError, parseGoDuration, toMilliseconds } from '@gateway-pattern/go-duration';
import type { AddRequest } from '../proto/adder.ts';
import { parseThreshold, type Threshold, ThresholdSyntaxError } from './thresholds.ts';

/** What to call: the adder over gRPC, or any HTTP URL. */
export type LoadTarget =
  | {
      readonly kind: 'grpc';
      readonly target: string;
      readonly request: AddRequest;
      readonly metadata: Record<string, string>;
    }
  | {
      readonly kind: 'http';
      readonly url: URL;
      readonly method: string;
      readonly headers: Record<string, string>;
      readonly body?: string;
    };

/** Everything a load run needs. */
export interface LoadOptions {
  readonly target: LoadTarget;
  readonly concurrency: number;
  readonly connections: number;
  /** Calls per second; 0: as fast as possible. */
  readonly rps: number;
  readonly count?: number;
  readonly durationMs?: number;
  readonly warmupCount?: number;
  readonly warmupMs?: number;
  readonly timeoutMs: number;
  readonly json: boolean;
  readonly thresholds: readonly Threshold[];
}

/** A bad command line; the CLI prints it with the usage and exits 2. */
export class OptionsError extends Error {}

/** `--help`. */
export const USAGE = `usage: npm run load -- [options]

  --target host:port      gRPC adder to call (default localhost:50051)
  --data JSON             gRPC request (default {"x":10,"y":10})
  --http URL              call this URL instead, over HTTP
  --method M              HTTP method (default GET, or POST with --body)
  -H, --header 'N: v'     header (HTTP) or metadata (gRPC); repeatable
  --body TEXT             HTTP request body (content-type defaults to application/json)
  -c, --concurrency N     calls in flight at most (default 10)
  --connections N         connections to open (default 1)
  --rps N                 constant rate, calls per second (default: as fast as possible)
  -n, --count N           stop after N calls (default 200 unless --duration is given)
  -z, --duration D        stop after D, a Go duration such as 10s, 1m30s, 1.5h
  --warmup N|D            calls (or time) at the start that are made but not counted
  --timeout D             deadline of each call (default 20s; 0: none)
  --json                  print the summary as JSON
  --threshold EXPR        fail (exit 1) unless EXPR holds, e.g. 'p99<20ms', 'errors<1%', 'rps>500'; repeatable
  -h, --help              this text

exit codes: 0 done and every threshold met; 1 a threshold failed; 2 bad options or target unreachable`;

function positiveInteger(name: string, text: string | undefined, fallback: number, min = 1): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(value) || value < min) {
    throw new OptionsError(`--${name} must be an integer ≥ ${min}, got ${JSON.stringify(text)}`);
  }
  return value;
}

function duration(name: string, text: string, options: { zero?: boolean } = {}): number {
  let ms: number;
  try {
    ms = toMilliseconds(parseGoDuration(text));
  } catch (error) {
    if (!(error instanceof GoDurationError)) throw error;
    throw new OptionsError(`--${name} must be a duration such as 500ms, 10s or 1m30s: ${error.message}`);
  }
  if (ms < 0 || (ms === 0 && !options.zero)) {
    throw new OptionsError(`--${name} must be longer than zero, got ${JSON.stringify(text)}`);
  }
  return ms;
}

function headers(lines: readonly string[]): Record<string, string> {
  const result: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    const name = colon === -1 ? '' : line.slice(0, colon).trim();
    if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) {
      throw new OptionsError(`--header must look like 'Name: value', got ${JSON.stringify(line)}`);
    }
    result[name.toLowerCase()] = line.slice(colon + 1).trim();
  }
  return result;
}

const INT64_TEXT = /^-?\d+$/;

function addRequest(text: string | undefined): AddRequest {
  if (text === undefined) return { x: '10', y: '10' };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new OptionsError(`--data must be JSON such as {"x":10,"y":10}, got ${JSON.stringify(text)}`);
  }
  const { x, y } = (parsed ?? {}) as Record<string, unknown>;
  const field = (name: string, value: unknown) => {
    const textValue = typeof value === 'number' && Number.isSafeInteger(value) ? String(value) : value;
    if (typeof textValue !== 'string' || !INT64_TEXT.test(textValue)) {
      throw new OptionsError(`--data: ${name} must be an integer (a number or a string of digits)`);
    }
    return textValue;
  };
  return { x: field('x', x), y: field('y', y) };
}

/** Parses `argv` (without node and the script); throws {@link OptionsError}, or returns `'help'`. */
export function parseOptions(argv: readonly string[]): LoadOptions | 'help' {
  let values: ReturnType<typeof parse>['values'];
  try {
    values = parse(argv).values;
  } catch (error) {
    throw new OptionsError((error as Error).message);
  }
  if (values.help) return 'help';

  let target: LoadTarget;
  const headerLines = values.header ?? [];
  if (values.http !== undefined) {
    if (values.data !== undefined || values.target !== undefined) {
      throw new OptionsError('--http calls a URL; --target and --data are for gRPC');
    }
    let url: URL;
    try {
      url = new URL(values.http);
    } catch {
      throw new OptionsError(
        `--http must be a URL such as http://localhost:8000/add/1/2, got ${JSON.stringify(values.http)}`,
      );
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      throw new OptionsError('--http must be an http(s) URL');
    const method = (values.method ?? (values.body === undefined ? 'GET' : 'POST')).toUpperCase();
    if (!/^[A-Z]+$/.test(method))
      throw new OptionsError(`--method must be an HTTP method, got ${JSON.stringify(values.method)}`);
    target = { kind: 'http', url, method, headers: headers(headerLines), body: values.body };
  } else {
    if (values.body !== undefined || values.method !== undefined) {
      throw new OptionsError('--body and --method are for --http; gRPC takes --data');
    }
    const address = values.target ?? 'localhost:50051';
    if (!/^[^\s/]+:\d+$/.test(address))
      throw new OptionsError(`--target must be host:port, got ${JSON.stringify(address)}`);
    target = {
      kind: 'grpc',
      target: address,
      request: addRequest(values.data),
      metadata: headers(headerLines),
    };
  }

  const durationMs = values.duration === undefined ? undefined : duration('duration', values.duration);
  if (durationMs !== undefined && values.count !== undefined) {
    throw new OptionsError('give --count or --duration, not both');
  }
  const count = durationMs === undefined ? positiveInteger('count', values.count, 200) : undefined;

  let warmupCount: number | undefined;
  let warmupMs: number | undefined;
  if (values.warmup !== undefined) {
    if (/^\d+$/.test(values.warmup)) warmupCount = positiveInteger('warmup', values.warmup, 0, 0);
    else warmupMs = duration('warmup', values.warmup);
  }

  const thresholds: Threshold[] = [];
  for (const text of values.threshold ?? []) {
    try {
      thresholds.push(parseThreshold(text));
    } catch (error) {
      if (error instanceof ThresholdSyntaxError) throw new OptionsError(error.message);
      throw error;
    }
  }

  return {
    target,
    concurrency: positiveInteger('concurrency', values.concurrency, 10),
    connections: positiveInteger('connections', values.connections, 1),
    rps: positiveInteger('rps', values.rps, 0, 0),
    count,
    durationMs,
    warmupCount,
    warmupMs,
    timeoutMs: values.timeout === undefined ? 20_000 : duration('timeout', values.timeout, { zero: true }),
    json: values.json ?? false,
    thresholds,
  };
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: false,
    options: {
      target: { type: 'string' },
      data: { type: 'string' },
      http: { type: 'string' },
      method: { type: 'string' },
      header: { type: 'string', short: 'H', multiple: true },
      body: { type: 'string' },
      concurrency: { type: 'string', short: 'c' },
      connections: { type: 'string' },
      rps: { type: 'string' },
      count: { type: 'string', short: 'n' },
      duration: { type: 'string', short: 'z' },
      warmup: { type: 'string' },
      timeout: { type: 'string' },
      json: { type: 'boolean' },
      threshold: { type: 'string', multiple: true },
      help: { type: 'boolean', short: 'h' },
    },
  });
}
