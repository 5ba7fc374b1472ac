/**
 * Traefik's access log (`accessLog`): one line per request, `json` (logrus JSON: sorted keys, `level`, `msg`,
 * `time`), `common` or `genericCLF`, with Traefik's fields kept, dropped or redacted as `fields` says
 * (access-log-fields.ts), written when `filters` keep the request (access-log-filters.ts), to stdout or
 * `filePath` (access-log-file.ts).
 */

import type { AccessLogConfig } from '../config/static.ts';
import type { Exchange } from '../http/exchange.ts';
import { clfLine } from './access-log-clf.ts';
import {
  addAllHeaders,
  type CoreFields,
  coreFieldNames,
  coreFields,
  fieldPlan,
  headerValue,
  type PlannedKey,
  redacted,
} from './access-log-fields.ts';
import type { LineSink } from './access-log-file.ts';
import { lineFilter } from './access-log-filters.ts';

export type { LineSink } from './access-log-file.ts';

/** Records finished exchanges. */
export interface AccessLog {
  /** Call once the exchange is over (response finished or connection closed). */
  record(exchange: Exchange): void;
}

/** Builds an access log from `accessLog` options, writing to `sink`. */
export function createAccessLog(config: AccessLogConfig, sink: LineSink): AccessLog {
  const plan = fieldPlan(config.fields);
  const keep = lineFilter(config.filters);
  const format = config.format ?? 'common';
  let requestCount = 0;

  return {
    record(exchange) {
      requestCount++;
      const duration = process.hrtime.bigint() - exchange.start;
      const status = downstreamStatus(exchange);
      if (keep !== undefined && !keep(status, exchange.log.RetryAttempts ?? 0, duration)) return;
      const fields = coreFields(exchange, duration, requestCount, status, plan.dropQuery);
      if (format !== 'json') {
        sink.write(clfLine(fields, exchange, plan, format === 'common'));
        return;
      }
      const time = new Date().toISOString();
      if (plan.keys !== undefined) {
        sink.write(jsonLine(plan.keys, fields, exchange, time));
        return;
      }
      // Every header may be written: the keys are only known now.
      const out: Record<string, unknown> = {};
      for (const key of coreFieldNames)
        if (plan.keeps(key) && fields[key] !== undefined) out[key] = fields[key];
      addAllHeaders(out, exchange, plan);
      out.level = 'info';
      out.msg = '';
      out.time = time;
      const sorted: Record<string, unknown> = {};
      for (const key of Object.keys(out).sort()) sorted[key] = out[key];
      sink.write(`${JSON.stringify(sorted)}\n`);
    },
  };
}

/**
 * Writes the planned keys, in their (sorted) order, as `JSON.stringify` would write the object; an undefined
 * field or an absent header is left out. No per-request object, key sort or walk over the headers.
 */
function jsonLine(keys: readonly PlannedKey[], fields: CoreFields, exchange: Exchange, time: string): string {
  let line = '{';
  for (const planned of keys) {
    let value: string | number | undefined;
    if (planned.kind === 'core') value = fields[planned.key];
    else if (planned.kind === 'fixed')
      value = planned.key === 'level' ? 'info' : planned.key === 'msg' ? '' : time;
    else {
      value = headerValue(exchange, planned.source, planned.name);
      if (value !== undefined && planned.mode === 'redact') value = redacted;
    }
    if (value === undefined) continue;
    if (line.length > 1) line += ',';
    line +=
      planned.prefix +
      (typeof value === 'number' ? (Number.isFinite(value) ? String(value) : 'null') : JSON.stringify(value));
  }
  return `${line}}\n`;
}

/** The status the client got; 499 (Traefik's "client closed request") when it left before any answer. */
function downstreamStatus(exchange: Exchange): number {
  return exchange.res.headersSent ? exchange.res.statusCode : 499;
}
