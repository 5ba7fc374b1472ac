/**
 * `errors` (Traefik's custom error pages): an answer whose status is in `status` (`"404"`, `"500-599"`) is
 * dropped, and the page from `service` is sent instead, with the caught status (or its `statusRewrites`
 * replacement) whatever the page's own status. The page is asked for with a GET to `query` (`/` by default;
 * `{status}` is the status sent, `{originalStatus}` the caught one, `{url}` the URL the client asked for,
 * query-escaped), with the request's Host and its headers (all of them, or only `errorRequestHeaders`; none
 * for an empty list), and no body. Other answers stream through untouched.
 */

import type { OutgoingHttpHeaders } from 'node:http';
import type { ErrorsConfig } from '../config/dynamic-schema.ts';
import type { Exchange } from '../http/exchange.ts';
import type { Handler } from '../http/handler.ts';
import { goUrlParseError } from './go-url.ts';
import { httpError } from './http-error.ts';
import { interceptResponse, type ResponseSink } from './response-interceptor.ts';
import { inRanges, parseStatusRanges } from './status-ranges.ts';
import type { Middleware } from './types.ts';
import { escapedPathOf } from './url-path.ts';

/** What the errors middleware needs besides its config. */
export interface ErrorPagesDeps {
  /** The service that serves the pages (resolved at load; a missing one disables the middleware). */
  readonly service: Handler;
}

/** Go's `url.QueryEscape`. */
export function queryEscape(text: string): string {
  let out = '';
  for (const byte of Buffer.from(text)) {
    const c = String.fromCharCode(byte);
    if (/[A-Za-z0-9\-_.~]/.test(c)) out += c;
    else if (c === ' ') out += '+';
    else out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

// Request headers that describe a body the page request does not have.
const bodyHeaders = new Set(['content-length', 'transfer-encoding']);

/** Builds an errors middleware. Throws `ResourceError` for a status range Go cannot parse. */
export function errorPages(options: ErrorsConfig, deps: ErrorPagesDeps): Middleware {
  const ranges = parseStatusRanges(options.status);
  const rewrites = Object.entries(options.statusRewrites ?? {}).map(
    ([from, to]) => [parseStatusRanges([from]), to] as const,
  );
  const query =
    options.query === undefined || options.query === '' ? undefined : `/${options.query.replace(/^\//, '')}`;
  const forwarded = options.errorRequestHeaders?.map((name) => name.toLowerCase());
  const service = deps.service;

  return (next) => async (exchange) => {
    // What the client asked for, before the middlewares further in change it.
    const scheme = exchange.tls ? 'https' : 'http';
    const original = `${scheme}://${exchange.host}${exchange.path}${exchange.rawQuery === '' ? '' : `?${exchange.rawQuery}`}`;
    const caught = await catchStatus(exchange, next, ranges);
    if (caught === undefined) return;

    let code = caught;
    for (const [from, to] of rewrites) {
      if (inRanges(from, caught)) {
        code = to;
        break;
      }
    }
    const target = (query ?? '')
      .replaceAll('{status}', String(code))
      .replaceAll('{originalStatus}', String(caught))
      .replaceAll('{url}', queryEscape(original));
    if (goUrlParseError(`http://${exchange.host}${target}`) !== undefined) {
      httpError(exchange, code);
      return;
    }
    askForPage(exchange, target, forwarded);
    interceptResponse(exchange, (sink) => forceStatus(sink, code));
    await service(exchange);
  };
}

/** Turns the exchange into the page request: GET `target`, same Host, the chosen headers, no body. */
function askForPage(exchange: Exchange, target: string, forwarded: readonly string[] | undefined): void {
  const hash = target.indexOf('#');
  const withoutFragment = hash === -1 ? target : target.slice(0, hash);
  const question = withoutFragment.indexOf('?');
  const path = question === -1 ? withoutFragment : withoutFragment.slice(0, question);
  exchange.method = 'GET';
  exchange.path = escapedPathOf(path === '' ? '/' : path);
  exchange.rawQuery = question === -1 ? '' : withoutFragment.slice(question + 1);
  const headers = exchange.headers;
  for (const name of Object.keys(headers)) {
    const kept = forwarded === undefined || forwarded.includes(name);
    if (!kept || bodyHeaders.has(name)) delete headers[name];
  }
  exchange.bufferedBody = Buffer.alloc(0);
}

/**
 * Runs the chain; an answer in `ranges` is dropped and its status returned once the chain is done with it;
 * any other passes through (undefined is returned).
 */
export async function catchStatus(
  exchange: Exchange,
  next: Handler,
  ranges: ReturnType<typeof parseStatusRanges>,
): Promise<number | undefined> {
  let caught: number | undefined;
  let finish: () => void = () => {};
  const done = new Promise<void>((resolve) => {
    finish = resolve;
  });
  const onClose = () => finish();
  exchange.res.once('close', onClose);
  let passing = false;
  const remove = interceptResponse(exchange, (sink: ResponseSink) => ({
    writeHead(status: number, headers: OutgoingHttpHeaders) {
      if (caught === undefined && !passing && status >= 200 && inRanges(ranges, status)) {
        caught = status;
        return;
      }
      if (caught === undefined) {
        passing = true;
        sink.writeHead(status, headers);
      }
    },
    write(chunk: Buffer) {
      if (caught === undefined) return sink.write(chunk);
      if (exchange.method !== 'HEAD') exchange.log.DownstreamContentSize -= chunk.length;
      return true;
    },
    end(chunk: Buffer | undefined) {
      if (caught === undefined) sink.end(chunk);
      else if (chunk !== undefined && exchange.method !== 'HEAD')
        exchange.log.DownstreamContentSize -= chunk.length;
      finish();
    },
  }));
  await Promise.all([next(exchange), done]);
  remove();
  exchange.res.off('close', onClose);
  return exchange.res.destroyed ? undefined : caught;
}

/** The page's answer, sent with the caught status whatever its own. */
function forceStatus(sink: ResponseSink, code: number) {
  return {
    writeHead(_status: number, headers: OutgoingHttpHeaders) {
      sink.writeHead(code, headers);
    },
    write: (chunk: Buffer) => sink.write(chunk),
    end: (chunk: Buffer | undefined) => sink.end(chunk),
  };
}
