/**
 * Traefik's access log (§5): one line per request, `json` (logrus JSON: sorted keys, `level`, `msg`, `time`) or
 * `common` / `genericCLF`. Supports `filters` (statusCodes, minDuration) and `fields` (names keep/drop; headers
 * keep/drop/redact, dropped by default).
 */

import type { AccessLogConfig } from '../config/static.ts';
import type { Exchange } from '../http/exchange.ts';
import { canonicalHeaderName } from '../http/headers.ts';

/** Where access-log lines go. */
export interface LineSink {
  write(line: string): unknown;
}

/**
 * Lines gathered during one turn of the event loop and handed to `destination` as one write, at the end of the
 * turn: under load one write carries many lines (one `write(2)` instead of one per request), while a lone
 * request's line still goes out at once. `flush()` writes what is pending now (before exiting).
 */
export function batchedSink(destination: LineSink): LineSink & { flush(): void } {
  let pending = '';
  let scheduled = false;
  const flush = () => {
    scheduled = false;
    if (pending === '') return;
    const chunk = pending;
    pending = '';
    destination.write(chunk);
  };
  return {
    write(line) {
      pending += line;
      if (!scheduled) {
        scheduled = true;
        setImmediate(flush);
      }
    },
    flush,
  };
}

/** Records finished exchanges. */
export interface AccessLog {
  /** Call once the exchange is over (response finished or connection closed). */
  record(exchange: Exchange): void;
}

type Mode = 'keep' | 'drop' | 'redact';

/** Builds an access log from `accessLog` options, writing to `sink`. */
export function createAccessLog(config: AccessLogConfig, sink: LineSink): AccessLog {
  const statusRanges = (config.filters?.statusCodes ?? []).map(parseRange);
  const minDurationNs = BigInt(Math.round((config.filters?.minDuration ?? 0) * 1e6));
  const defaultMode = config.fields?.defaultMode ?? 'keep';
  const names = new Map(Object.entries(config.fields?.names ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
  const headerDefault: Mode = config.fields?.headers?.defaultMode ?? 'drop';
  const headerNames = new Map<string, Mode>(
    Object.entries(config.fields?.headers?.names ?? {}).map(([k, v]) => [k.toLowerCase(), v]),
  );
  const dropQuery = config.fields?.queryParameters?.defaultMode === 'drop';
  const kept = (key: string) => (names.get(key.toLowerCase()) ?? defaultMode) === 'keep';
  // Without header fields (the default), every line has the same keys in the same order: the JSON is written
  // from a list made here, with no per-request object, key sort or walk over the headers.
  const noHeaders = headerDefault === 'drop' && [...headerNames.values()].every((mode) => mode === 'drop');
  const jsonKeys = [...coreFieldNames.filter(kept), 'level', 'msg', 'time']
    .sort()
    .map((key) => ({ key, prefix: `${JSON.stringify(key)}:` }));
  let requestCount = 0;

  return {
    record(exchange) {
      requestCount++;
      const end = process.hrtime.bigint();
      const duration = end - exchange.start;
      const status = downstreamStatus(exchange);
      if (statusRanges.length > 0 && !statusRanges.some(([lo, hi]) => status >= lo && status <= hi)) return;
      if (minDurationNs > 0n && duration < minDurationNs) return;
      const fields: Fields = coreFields(exchange, duration, requestCount, dropQuery);
      if (config.format !== 'json') {
        sink.write(`${commonLine(fields, exchange, config.format === 'common')}\n`);
        return;
      }
      fields.level = 'info';
      fields.msg = '';
      fields.time = new Date().toISOString();
      if (noHeaders) {
        sink.write(`${jsonLine(jsonKeys, fields)}\n`);
        return;
      }
      const out: Record<string, unknown> = {};
      for (const key of coreFieldNames) if (kept(key)) out[key] = fields[key];
      addHeaders(out, 'request_', exchange.req.headersDistinct, headerDefault, headerNames);
      addHeaders(out, 'origin_', exchange.log.originHeaders ?? {}, headerDefault, headerNames);
      addHeaders(out, 'downstream_', exchange.responseHead?.headers ?? {}, headerDefault, headerNames);
      out.level = fields.level;
      out.msg = fields.msg;
      out.time = fields.time;
      const sorted: Record<string, unknown> = {};
      for (const key of Object.keys(out).sort()) sorted[key] = out[key];
      sink.write(`${JSON.stringify(sorted)}\n`);
    },
  };
}

type Fields = ReturnType<typeof coreFields> & { level?: string; msg?: string; time?: string };

/** Writes the fields named by `keys`, in that order, as `JSON.stringify` would (undefined fields left out). */
function jsonLine(keys: readonly { key: string; prefix: string }[], fields: Fields): string {
  const values = fields as unknown as Record<string, string | number | undefined>;
  let line = '{';
  for (const { key, prefix } of keys) {
    const value = values[key];
    if (value === undefined) continue;
    if (line.length > 1) line += ',';
    line +=
      prefix +
      (typeof value === 'number' ? (Number.isFinite(value) ? String(value) : 'null') : JSON.stringify(value));
  }
  return `${line}}`;
}

/** The status the client got; 499 (Traefik's "client closed request") when it left before any answer. */
function downstreamStatus(exchange: Exchange): number {
  return exchange.res.headersSent ? exchange.res.statusCode : 499;
}

/** The names of the fields {@link coreFields} returns, in its order. */
const coreFieldNames = [
  'StartUTC',
  'StartLocal',
  'Duration',
  'OriginDuration',
  'Overhead',
  'RouterName',
  'ServiceName',
  'ServiceURL',
  'ServiceAddr',
  'ClientAddr',
  'ClientHost',
  'ClientPort',
  'ClientUsername',
  'RequestAddr',
  'RequestHost',
  'RequestPort',
  'RequestMethod',
  'RequestPath',
  'RequestProtocol',
  'RequestScheme',
  'RequestContentSize',
  'RequestCount',
  'OriginStatus',
  'OriginContentSize',
  'DownstreamStatus',
  'DownstreamContentSize',
  'RetryAttempts',
  'entryPointName',
] as const;

function coreFields(exchange: Exchange, duration: bigint, count: number, dropQuery: boolean) {
  const log = exchange.log;
  const hostMatch = /^(\[[^\]]*\]|[^:]*)(?::(\d+))?$/.exec(exchange.originalHost);
  const origin =
    log.originStart !== undefined && log.originEnd !== undefined
      ? Number(log.originEnd - log.originStart)
      : 0;
  const path = dropQuery ? exchange.originalUri.split('?')[0] : exchange.originalUri;
  const contentLength = exchange.originalHeader('content-length');
  return {
    StartUTC: exchange.startDate.toISOString(),
    StartLocal: localIso(exchange.startDate),
    Duration: Number(duration),
    OriginDuration: origin,
    Overhead: Number(duration) - origin,
    RouterName: log.RouterName,
    ServiceName: log.ServiceName,
    ServiceURL: log.ServiceURL,
    ServiceAddr: log.ServiceAddr,
    ClientAddr: `${exchange.remoteAddr.includes(':') ? `[${exchange.remoteAddr}]` : exchange.remoteAddr}:${exchange.remotePort}`,
    ClientHost: log.ClientHost ?? exchange.remoteAddr,
    ClientPort: String(exchange.remotePort),
    ClientUsername: log.ClientUsername ?? '-',
    RequestAddr: exchange.originalHost,
    RequestHost: hostMatch?.[1] ?? exchange.originalHost,
    RequestPort: hostMatch?.[2] ?? '-',
    RequestMethod: exchange.req.method ?? '',
    RequestPath: path,
    RequestProtocol: `HTTP/${exchange.req.httpVersion}`,
    RequestScheme: exchange.tls ? 'https' : 'http',
    RequestContentSize: Number(
      contentLength ?? (exchange.originalHeader('transfer-encoding') !== undefined ? -1 : 0),
    ),
    RequestCount: count,
    OriginStatus: log.OriginStatus,
    OriginContentSize: log.OriginContentSize,
    DownstreamStatus: downstreamStatus(exchange),
    DownstreamContentSize: log.DownstreamContentSize,
    RetryAttempts: 0,
    entryPointName: exchange.entryPoint,
  };
}

/** Traefik's CLF: `host - user [time] "METHOD path proto" status size "referer" "ua" count "router" "url" Nms`. */
function commonLine(
  fields: ReturnType<typeof coreFields>,
  exchange: Exchange,
  traefikExtras: boolean,
): string {
  const quote = (value: string | undefined) => `"${value === undefined || value === '' ? '-' : value}"`;
  let line =
    `${fields.ClientHost} - ${fields.ClientUsername} [${clfTime(exchange.startDate)}] ` +
    `"${fields.RequestMethod} ${fields.RequestPath} ${fields.RequestProtocol}" ${fields.DownstreamStatus} ` +
    `${fields.DownstreamContentSize} ${quote(exchange.originalHeader('referer'))} ${quote(exchange.originalHeader('user-agent'))}`;
  if (traefikExtras) {
    line += ` ${fields.RequestCount} ${quote(fields.RouterName)} ${quote(fields.ServiceURL)} ${Math.round(fields.Duration / 1e6)}ms`;
  }
  return line;
}

function addHeaders(
  out: Record<string, unknown>,
  prefix: string,
  headers: Readonly<Record<string, unknown>>,
  defaultMode: Mode,
  names: ReadonlyMap<string, Mode>,
): void {
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    const mode = names.get(name.toLowerCase()) ?? defaultMode;
    if (mode === 'drop') continue;
    out[`${prefix}${canonicalHeaderName(name)}`] =
      mode === 'redact' ? 'REDACTED' : Array.isArray(value) ? value.join(',') : String(value);
  }
}

function parseRange(text: string): [number, number] {
  const [lo = '', hi] = text.split('-');
  const low = Number(lo);
  return [low, hi === undefined ? low : Number(hi)];
}

const pad = (n: number, width = 2) => String(Math.abs(n)).padStart(width, '0');

function offset(date: Date, separator: string): string {
  const minutes = -date.getTimezoneOffset();
  return `${minutes >= 0 ? '+' : '-'}${pad(Math.trunc(minutes / 60))}${separator}${pad(minutes % 60)}`;
}

/** The local time with its offset (`2026-11-30T06:21:50.761+01:00`): the UTC form of the shifted time. */
function localIso(date: Date): string {
  const minutes = -date.getTimezoneOffset();
  const shifted = minutes === 0 ? date : new Date(date.getTime() + minutes * 60_000);
  return shifted.toISOString().slice(0, 23) + offset(date, ':');
}

const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function clfTime(date: Date): string {
  return (
    `${pad(date.getDate())}/${months[date.getMonth()]}/${date.getFullYear()}:` +
    `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())} ${offset(date, '')}`
  );
}
