/**
 * Traefik's two text formats (`logger_formatters.go`), written from the fields the plan kept, as Traefik writes
 * them from the fields it kept: a dropped field shows `-`.
 *
 * - `genericCLF`: `host - user [time] "METHOD path proto" status size "referer" "agent"`.
 * - `common`: the same, then `count "router" "serviceURL" <ms>ms`.
 *
 * The time is `StartUTC` (so `+0000`), or `StartLocal` when only that one is kept, or `-`. Referer and agent are
 * the `request_Referer` and `request_User-Agent` header fields: with headers dropped (Traefik's default) they are
 * `"-"`, and a redacted header shows `"REDACTED"`.
 */

import type { Exchange } from '../http/exchange.ts';
import {
  type CoreFieldName,
  type CoreFields,
  type FieldPlan,
  headerValue,
  redacted,
  utcOffset,
} from './access-log-fields.ts';

const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad = (n: number) => String(n).padStart(2, '0');

/** One text line (with its newline) in Traefik's `common` format, or `genericCLF` when `extended` is false. */
export function clfLine(fields: CoreFields, exchange: Exchange, plan: FieldPlan, extended: boolean): string {
  const get = (key: CoreFieldName) => (plan.keeps(key) ? fields[key] : undefined);
  const plain = (key: CoreFieldName) => show(get(key), '-', false);
  let line =
    `${plain('ClientHost')} - ${plain('ClientUsername')} [${clfTime(exchange.startDate, plan)}] ` +
    `"${plain('RequestMethod')} ${plain('RequestPath')} ${plain('RequestProtocol')}" ` +
    `${show(get('DownstreamStatus'), '-', true)} ${show(get('DownstreamContentSize'), '-', true)} ` +
    `${show(header(exchange, plan, 'referer'), '"-"', true)} ${show(header(exchange, plan, 'user-agent'), '"-"', true)}`;
  if (extended) {
    const duration = get('Duration');
    const millis = typeof duration === 'number' ? Math.trunc(duration / 1e6) : 0;
    line +=
      ` ${show(get('RequestCount'), '-', true)} ${show(get('RouterName'), '"-"', true)} ` +
      `${show(get('ServiceURL'), '"-"', true)} ${millis}ms`;
  }
  return `${line}\n`;
}

/** Traefik's `toLog`: a missing or empty value is the default, a string may be quoted, a number is as is. */
function show(value: string | number | undefined, fallback: string, quoted: boolean): string {
  if (value === undefined) return fallback;
  if (typeof value === 'number') return String(value);
  if (value === '') return fallback;
  return quoted ? `"${value.replaceAll('"', '\\"')}"` : value;
}

function header(exchange: Exchange, plan: FieldPlan, name: string): string | undefined {
  const mode = plan.headerMode(name);
  if (mode === 'drop') return undefined;
  const value = headerValue(exchange, 'request_', name);
  return value !== undefined && mode === 'redact' ? redacted : value;
}

/** `02/Jan/2006:15:04:05 -0700`, from StartUTC (in UTC) or else StartLocal, as Traefik picks. */
function clfTime(date: Date, plan: FieldPlan): string {
  if (plan.keeps('StartUTC')) {
    return (
      `${pad(date.getUTCDate())}/${months[date.getUTCMonth()]}/${date.getUTCFullYear()}:` +
      `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} +0000`
    );
  }
  if (plan.keeps('StartLocal')) {
    return (
      `${pad(date.getDate())}/${months[date.getMonth()]}/${date.getFullYear()}:` +
      `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())} ${utcOffset(date, '')}`
    );
  }
  return '-';
}
