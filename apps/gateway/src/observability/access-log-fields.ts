/**
 * What goes into an access-log line: Traefik's fields (`pkg/middlewares/accesslog/logdata.go`) with their
 * values for one exchange, and the plan that `accessLog.fields` makes of them, worked out once when the
 * configuration is loaded so that a request only fills in values.
 *
 * - `fields.defaultMode` (`keep`) and `fields.names.<Field>` keep or drop a field; names are compared
 *   case-insensitively, as Traefik lower-cases them.
 * - `fields.headers.defaultMode` (`drop`) and `fields.headers.names.<Header>` keep, drop or redact a header, as
 *   `request_<Header>`, `origin_<Header>` and `downstream_<Header>`; a redacted value is written `REDACTED`.
 * - `fields.queryParameters.defaultMode: drop` leaves the query out of `RequestPath`.
 */

import type { TLSSocket } from 'node:tls';
import type { AccessLogConfig } from '../config/static.ts';
import type { Exchange } from '../http/exchange.ts';
import { canonicalHeaderName } from '../http/headers.ts';

/** What happens to a header in the log. */
export type HeaderMode = 'keep' | 'drop' | 'redact';

/** Where a header field's value comes from: the request, the upstream's response, or the client's response. */
export type HeaderSource = 'request_' | 'origin_' | 'downstream_';

/** The value Traefik writes for a redacted header. */
export const redacted = 'REDACTED';

/** The names of the fields {@link coreFields} returns, in its order. */
export const coreFieldNames = [
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
  'GzipRatio',
  'RetryAttempts',
  'TLSVersion',
  'TLSCipher',
  'TLSClientSubject',
  'entryPointName',
] as const;

/** One of Traefik's core field names. */
export type CoreFieldName = (typeof coreFieldNames)[number];

/** The core fields of one exchange; an undefined field is left out of the line. */
export type CoreFields = Record<CoreFieldName, string | number | undefined>;

/** One key of a JSON line, in the order lines are written (sorted, as logrus writes them). */
export type PlannedKey =
  | { readonly kind: 'core'; readonly key: CoreFieldName; readonly prefix: string }
  | { readonly kind: 'fixed'; readonly key: 'level' | 'msg' | 'time'; readonly prefix: string }
  | {
      readonly kind: 'header';
      readonly key: string;
      readonly prefix: string;
      readonly source: HeaderSource;
      /** Lower-case header name. */
      readonly name: string;
      readonly mode: 'keep' | 'redact';
    };

/** What `accessLog.fields` asks for, worked out once. */
export interface FieldPlan {
  /** Whether a core field is written (`fields.defaultMode` and `fields.names`). */
  keeps(field: CoreFieldName): boolean;
  /** The mode of a header, by its lower-case name. */
  headerMode(name: string): HeaderMode;
  /**
   * Every key a JSON line can have, sorted, when the headers to write are known in advance (the headers'
   * default mode is `drop`, so only named ones appear); undefined when every header of the exchange must be
   * looked at (`keep` or `redact` by default).
   */
  readonly keys: readonly PlannedKey[] | undefined;
  /** `fields.queryParameters.defaultMode: drop`. */
  readonly dropQuery: boolean;
}

const sources: readonly HeaderSource[] = ['request_', 'origin_', 'downstream_'];

/** Works out the plan for `accessLog.fields`, with Traefik's defaults (fields kept, headers dropped). */
export function fieldPlan(fields: AccessLogConfig['fields']): FieldPlan {
  const defaultKeep = (fields?.defaultMode ?? 'keep') === 'keep';
  const names = new Map(Object.entries(fields?.names ?? {}).map(([k, v]) => [k.toLowerCase(), v === 'keep']));
  const kept = new Set(coreFieldNames.filter((field) => names.get(field.toLowerCase()) ?? defaultKeep));
  const headerDefault: HeaderMode = fields?.headers?.defaultMode ?? 'drop';
  const headerNames = new Map<string, HeaderMode>(
    Object.entries(fields?.headers?.names ?? {}).map(([k, v]) => [k.toLowerCase(), v]),
  );
  const headerMode = (name: string) => headerNames.get(name) ?? headerDefault;
  let keys: PlannedKey[] | undefined;
  if (headerDefault === 'drop') {
    keys = [];
    for (const key of kept) keys.push({ kind: 'core', key, prefix: `${JSON.stringify(key)}:` });
    for (const key of ['level', 'msg', 'time'] as const) {
      keys.push({ kind: 'fixed', key, prefix: `${JSON.stringify(key)}:` });
    }
    for (const [name, mode] of headerNames) {
      if (mode === 'drop') continue;
      for (const source of sources) {
        const key = `${source}${canonicalHeaderName(name)}`;
        keys.push({ kind: 'header', key, prefix: `${JSON.stringify(key)}:`, source, name, mode });
      }
    }
    keys.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }
  return {
    keeps: (field) => kept.has(field),
    headerMode,
    keys,
    dropQuery: fields?.queryParameters?.defaultMode === 'drop',
  };
}

/** The values of Traefik's core fields for a finished exchange. */
export function coreFields(
  exchange: Exchange,
  duration: bigint,
  count: number,
  status: number,
  dropQuery: boolean,
): CoreFields {
  const log = exchange.log;
  const hostMatch = /^(\[[^\]]*\]|[^:]*)(?::(\d+))?$/.exec(exchange.originalHost);
  const origin =
    log.originStart !== undefined && log.originEnd !== undefined
      ? Number(log.originEnd - log.originStart)
      : 0;
  const path = dropQuery ? exchange.originalUri.split('?')[0] : exchange.originalUri;
  const contentLength = exchange.originalHeader('content-length');
  const tls = exchange.tls ? tlsFacts(exchange.req.socket as TLSSocket) : undefined;
  const downstreamSize = log.DownstreamContentSize;
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
    DownstreamStatus: status,
    DownstreamContentSize: downstreamSize,
    // Traefik's ratio of what the upstream sent to what the client got, when a middleware changed the size.
    GzipRatio:
      log.OriginStatus !== 0 && downstreamSize !== 0 && downstreamSize !== log.OriginContentSize
        ? log.OriginContentSize / downstreamSize
        : undefined,
    RetryAttempts: log.RetryAttempts ?? 0,
    TLSVersion: tls?.version,
    TLSCipher: tls?.cipher,
    TLSClientSubject: tls?.clientSubject,
    entryPointName: exchange.entryPoint,
  };
}

interface TlsFacts {
  readonly version: string | undefined;
  readonly cipher: string | undefined;
  readonly clientSubject: string | undefined;
}

/**
 * A TLS connection's version as Traefik writes it (`1.3`), its cipher's IANA name and the client certificate's
 * subject, worked out once per connection.
 */
const tlsCache = new WeakMap<TLSSocket, TlsFacts>();

function tlsFacts(socket: TLSSocket): TlsFacts {
  let facts = tlsCache.get(socket);
  if (facts === undefined) {
    const protocol = typeof socket.getProtocol === 'function' ? socket.getProtocol() : null;
    const cipher = typeof socket.getCipher === 'function' ? socket.getCipher() : undefined;
    const peer =
      typeof socket.getPeerX509Certificate === 'function' ? socket.getPeerX509Certificate() : undefined;
    facts = {
      version: protocol?.startsWith('TLSv') ? protocol.slice(4) : (protocol ?? undefined),
      cipher: cipher?.standardName ?? cipher?.name,
      clientSubject: peer === undefined ? undefined : goNameString(peer.subject),
    };
    tlsCache.set(socket, facts);
  }
  return facts;
}

/** The order in which Go's `pkix.Name` lists the attributes it knows (`ToRDNSequence`). */
const goAttributeOrder = ['C', 'ST', 'L', 'STREET', 'POSTALCODE', 'O', 'OU', 'CN', 'SERIALNUMBER'];

/**
 * A subject as Go's `pkix.Name.String()` writes it (`CN=alice,O=Example,C=FR`), from Node's one `key=value` a
 * line (values already escaped by OpenSSL as Go escapes them): the attributes Go knows in its order, then the
 * others, all reversed.
 */
function goNameString(subject: string): string {
  const rank = (key: string) => {
    const index = goAttributeOrder.indexOf(key.toUpperCase());
    return index === -1 ? goAttributeOrder.length : index;
  };
  const attributes = subject
    .split('\n')
    .filter((line) => line.includes('='))
    .map((line) => {
      const at = line.indexOf('=');
      const key = line.slice(0, at);
      const upper = key.toUpperCase();
      return { key: rank(key) < goAttributeOrder.length ? upper : key, value: line.slice(at + 1) };
    })
    .sort((a, b) => rank(a.key) - rank(b.key));
  return attributes
    .reverse()
    .map(({ key, value }) => `${key}=${value}`)
    .join(',');
}

/** A header's value for the log: its lines joined with `,` (Go's `strings.Join(values, ",")`). */
export function headerValue(exchange: Exchange, source: HeaderSource, name: string): string | undefined {
  if (source === 'request_') {
    const raw = exchange.req.rawHeaders;
    let value: string | undefined;
    for (let i = 0; i < raw.length; i += 2) {
      const field = raw[i] as string;
      if (field.length !== name.length || field.toLowerCase() !== name) continue;
      value = value === undefined ? raw[i + 1] : `${value},${raw[i + 1]}`;
    }
    return value;
  }
  const headers = source === 'origin_' ? exchange.log.originHeaders : exchange.responseHead?.headers;
  return joined(headers?.[name]);
}

function joined(value: string | number | readonly string[] | undefined): string | undefined {
  if (value === undefined) return undefined;
  return typeof value === 'object' ? value.join(',') : String(value);
}

/**
 * Adds every header of the exchange that the plan does not drop (when the headers' default mode is `keep` or
 * `redact`, so the names cannot be known in advance).
 */
export function addAllHeaders(out: Record<string, unknown>, exchange: Exchange, plan: FieldPlan): void {
  const raw = exchange.req.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) {
    const name = (raw[i] as string).toLowerCase();
    const mode = plan.headerMode(name);
    if (mode === 'drop') continue;
    const key = `request_${canonicalHeaderName(name)}`;
    const previous = out[key];
    out[key] =
      mode === 'redact' ? redacted : previous === undefined ? raw[i + 1] : `${previous},${raw[i + 1]}`;
  }
  addHeaderMap(out, 'origin_', exchange.log.originHeaders, plan);
  addHeaderMap(out, 'downstream_', exchange.responseHead?.headers, plan);
}

function addHeaderMap(
  out: Record<string, unknown>,
  prefix: HeaderSource,
  headers: Readonly<Record<string, string | number | readonly string[] | undefined>> | undefined,
  plan: FieldPlan,
): void {
  if (headers === undefined) return;
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    const mode = plan.headerMode(name.toLowerCase());
    if (mode === 'drop') continue;
    out[`${prefix}${canonicalHeaderName(name)}`] = mode === 'redact' ? redacted : joined(value);
  }
}

const pad = (n: number, width = 2) => String(Math.abs(n)).padStart(width, '0');

/** `+01:00` (or `+0100` with an empty separator): the local offset at `date`. */
export function utcOffset(date: Date, separator: string): string {
  const minutes = -date.getTimezoneOffset();
  return `${minutes >= 0 ? '+' : '-'}${pad(Math.trunc(minutes / 60))}${separator}${pad(minutes % 60)}`;
}

/** The local time with its offset (`2026-11-30T06:21:50.761+01:00`): the UTC form of the shifted time. */
function localIso(date: Date): string {
  const minutes = -date.getTimezoneOffset();
  const shifted = minutes === 0 ? date : new Date(date.getTime() + minutes * 60_000);
  return shifted.toISOString().slice(0, 23) + utcOffset(date, ':');
}
