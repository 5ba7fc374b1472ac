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
  let requestCount = 0;

  return {
    record(exchange) {
      requestCount++;
      const end = process.hrtime.bigint();
      const duration = end - exchange.start;
      const status = downstreamStatus(exchange);
      if (statusRanges.length > 0 && !statusRanges.some(([lo, hi]) => status >= lo && status <= hi)) return;
      if (minDurationNs > 0n && duration < minDurationNs) return;
      const fields = coreFields(exchange, duration, requestCount, dropQuery);
      if (config.format !== 'json') {
        sink.write(`${commonLine(fields, exchange, config.format === 'common')}\n`);
        return;
      }
      const out: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(fields)) {
        if ((names.get(key.toLowerCase()) ?? defaultMode) === 'keep') out[key] = value;
      }
      addHeaders(out, 'request_', exchange.req.headersDistinct, headerDefault, headerNames);
      addHeaders(out, 'origin_', exchange.log.originHeaders ?? {}, headerDefault, headerNames);
      addHeaders(out, 'downstream_', exchange.responseHead?.headers ?? {}, headerDefault, headerNames);
      out.level = 'info';
      out.msg = '';
      out.time = new Date().toISOString();
      const sorted: Record<string, unknown> = {};
      for (const key of Object.keys(out).sort()) sorted[key] = out[key];
      sink.write(`${JSON.stringify(sorted)}\n`);
    },
  };
}

/** The status the client got; 499 (Traefik's "client closed request") when it left before any answer. */
function downstreamStatus(exchange: Exchange): number {
  return exchange.res.headersSent ? exchange.res.statusCode : 499;
}

function coreFields(exchange: Exchange, duration: bigint, count: number, dropQuery: boolean) {
  const log = exchange.log;
  const hostMatch = /^(\[[^\]]*\]|[^:]*)(?::(\d+))?$/.exec(exchange.originalHost);
  const origin =
    log.originStart !== undefined && log.originEnd !== undefined
      ? Number(log.originEnd - log.originStart)
      : 0;
  const path = dropQuery ? exchange.originalUri.split('?')[0] : exchange.originalUri;
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
      exchange.req.headers['content-length'] ?? (exchange.req.headers['transfer-encoding'] ? -1 : 0),
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
    `${fields.DownstreamContentSize} ${quote(exchange.req.headers.referer)} ${quote(exchange.req.headers['user-agent'])}`;
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

function localIso(date: Date): string {
  return (
    `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T` +
    `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}.${pad(date.getMilliseconds(), 3)}` +
    offset(date, ':')
  );
}

const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function clfTime(date: Date): string {
  return (
    `${pad(date.getDate())}/${months[date.getMonth()]}/${date.getFullYear()}:` +
    `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())} ${offset(date, '')}`
  );
}
