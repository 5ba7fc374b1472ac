/**
 * One request/response exchange as it travels through an entrypoint, its router, middlewares and service.
 *
 * Middlewares change the request the way Traefik's change Go's `*http.Request`: through `path`, `rawQuery`,
 * `host` and `headers`, never by touching Node's `IncomingMessage`. Response changes go through
 * {@link Exchange.onResponseHeaders} hooks, run just before the status line is written, whoever writes it
 * (the proxy, or a middleware answering itself), which is how Traefik wraps its `ResponseWriter`.
 */

import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { HeaderMap } from './headers.ts';
import { http2RequestHeaders } from './http2-compat.ts';

/** The response about to be written; hooks may change both fields. */
export interface ResponseHead {
  status: number;
  /** Lower-case names. */
  headers: OutgoingHttpHeaders;
}

/** Runs just before the response head is written. */
export type ResponseHook = (head: ResponseHead) => void;

/** What the access log records about the exchange beyond the request itself (Traefik's field names). */
export interface ExchangeLog {
  RouterName?: string;
  ServiceName?: string;
  ServiceURL?: string;
  ServiceAddr?: string;
  ClientUsername?: string;
  /** Status returned by the upstream; 0 when the gateway answered itself. */
  OriginStatus: number;
  /** Body bytes received from the upstream. */
  OriginContentSize: number;
  /** Body bytes sent to the client. */
  DownstreamContentSize: number;
  /** The client, as the access log shows it: the X-Forwarded-For value a trusted peer sent, else the peer IP. */
  ClientHost?: string;
  /** Response headers from the upstream, for `origin_*` access-log fields. */
  originHeaders?: Readonly<Record<string, string | string[] | undefined>>;
  /** When the upstream was asked (ns, `process.hrtime.bigint()`), for OriginDuration. */
  originStart?: bigint;
  originEnd?: bigint;
  /**
   * Why the upstream did not answer, when the proxy failed (an error `code` such as `ECONNREFUSED`): the retry
   * middleware retries only failures that sent nothing upstream, as Traefik does.
   */
  upstreamError?: string;
  /** Times the retry middleware sent the request again (Traefik's `RetryAttempts`). */
  RetryAttempts?: number;
}

/** Work that can be cancelled, such as an upstream request in flight (undici's dispatch controller). */
export interface Cancellable {
  abort(reason: Error): void;
}

/** Facts about the connection an exchange arrived on. */
export interface ConnectionInfo {
  readonly entryPoint: string;
  readonly tls: boolean;
}

/** One request/response exchange. */
export class Exchange {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly entryPoint: string;
  /** True when the client connection is TLS. */
  readonly tls: boolean;
  /** Peer IP address, never taken from headers. */
  readonly remoteAddr: string;
  readonly remotePort: number;
  /** `process.hrtime.bigint()` when the request arrived. */
  readonly start: bigint;
  readonly startDate: Date;
  /** The method sent upstream (a middleware may change it). */
  method: string;
  /** Go's `req.Host`: the authority the client asked for, with its port. */
  host: string;
  /** The escaped request path (may become empty after stripPrefix; sent as `/`). */
  path: string;
  /** The raw query string, without `?`. */
  rawQuery: string;
  /** Request headers sent upstream: lower-case names, one entry per line. */
  readonly headers: HeaderMap;
  /** The request target as received (before any middleware), for the access log. */
  readonly originalUri: string;
  /** The Host as received. */
  readonly originalHost: string;
  /** The response head as written, once written. */
  responseHead: ResponseHead | undefined;
  /**
   * The request body, once a middleware had to read it (forwardAuth's `forwardBody`); the proxy then sends
   * this instead of streaming `req`.
   */
  bufferedBody: Buffer | undefined;
  /** Set by the entrypoint's request policy (a refused path or header): answered with 400, never routed. */
  refused = false;
  /** Access-log data filled in along the way. */
  readonly log: ExchangeLog = { OriginStatus: 0, OriginContentSize: 0, DownstreamContentSize: 0 };
  readonly #hooks: ResponseHook[] = [];
  #abort: AbortController | undefined;
  /** Cancels the upstream request in flight (forwardAuth's, then the proxy's) if the client goes away. */
  #cancel: Cancellable | undefined;
  #closed = false;

  constructor(req: IncomingMessage, res: ServerResponse, connection: ConnectionInfo) {
    this.req = req;
    this.res = res;
    this.entryPoint = connection.entryPoint;
    this.tls = connection.tls;
    const socket = req.socket;
    this.remoteAddr = stripZone(socket.remoteAddress ?? '');
    this.remotePort = socket.remotePort ?? 0;
    this.start = process.hrtime.bigint();
    this.startDate = new Date();
    this.method = req.method ?? 'GET';
    this.headers = req.httpVersionMajor === 2 ? http2RequestHeaders(req) : headerMapOf(req.rawHeaders);
    const target = req.url ?? '/';
    let rest = target;
    let authority: string | undefined;
    if (target.charCodeAt(0) !== 47 /* / */) {
      const absolute = splitAbsolute(target);
      if (absolute !== undefined) {
        authority = absolute.authority;
        rest = absolute.rest;
      }
    }
    const hash = rest.indexOf('#');
    if (hash !== -1) rest = rest.slice(0, hash);
    const question = rest.indexOf('?');
    this.path = question === -1 ? rest : rest.slice(0, question);
    this.rawQuery = question === -1 ? '' : rest.slice(question + 1);
    this.host = authority ?? this.headers.host?.[0] ?? '';
    this.originalUri = this.requestUri();
    this.originalHost = this.host;
  }

  /**
   * Reads the whole request body (once; later calls get the same buffer). Resolves to undefined when it is
   * longer than `limit` bytes (-1: no limit); the connection is then not reused, as the rest is left unread.
   */
  async readBody(limit: number): Promise<Buffer | undefined> {
    if (this.bufferedBody !== undefined) return this.bufferedBody;
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of this.req) {
      size += (chunk as Buffer).length;
      if (limit >= 0 && size > limit) {
        this.res.shouldKeepAlive = false;
        return undefined;
      }
      chunks.push(chunk as Buffer);
    }
    this.bufferedBody = Buffer.concat(chunks);
    return this.bufferedBody;
  }

  /**
   * A header as the client sent it, whatever middlewares did to {@link headers} since: the first line's value,
   * or every line's joined with `, ` when `joined`, as Node's `req.headers` holds them. Read from the raw
   * lines, so Node never builds `req.headers` for the access log and the metrics.
   */
  originalHeader(name: string, joined = false): string | undefined {
    const raw = this.req.rawHeaders;
    let value: string | undefined;
    for (let i = 0; i < raw.length; i += 2) {
      const field = raw[i] as string;
      if (field.length !== name.length || field.toLowerCase() !== name) continue;
      if (!joined) return raw[i + 1];
      value = value === undefined ? raw[i + 1] : `${value}, ${raw[i + 1]}`;
    }
    return value;
  }

  /** Go's `RequestURI()`: the path (`/` when empty) and the query. */
  requestUri(): string {
    const path = this.path === '' ? '/' : this.path;
    return this.rawQuery === '' ? path : `${path}?${this.rawQuery}`;
  }

  /** Aborts when the client goes away before the response is complete. */
  get signal(): AbortSignal {
    if (this.#abort === undefined) {
      this.#abort = new AbortController();
      if (this.#gone()) this.#abort.abort(new ClientClosedError());
    }
    return this.#abort.signal;
  }

  /**
   * Sets what to cancel if the client goes away before the response is complete (the upstream request in
   * flight), or clears it. Cheaper than {@link signal} on every request: no AbortController, no EventTarget.
   * Called after the client is gone, it cancels at once.
   */
  cancelOnClientGone(cancel: Cancellable | undefined): void {
    this.#cancel = cancel;
    if (cancel !== undefined && this.#gone()) cancel.abort(new ClientClosedError());
  }

  #gone(): boolean {
    return (this.#closed || this.res.closed) && !answered(this.res);
  }

  /** The dispatcher calls this once the client connection's response closes (finished or cut short). */
  closed(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (answered(this.res)) return;
    const reason = new ClientClosedError();
    this.#abort?.abort(reason);
    const cancel = this.#cancel;
    this.#cancel = undefined;
    cancel?.abort(reason);
  }

  /** True when the client went away before the response was complete. */
  get clientGone(): boolean {
    return (
      ((this.#closed || this.res.closed) && !answered(this.res)) || (this.req.destroyed && !this.req.complete)
    );
  }

  /** Registers a hook run on the response head; the hook registered last (innermost middleware) runs first. */
  onResponseHeaders(hook: ResponseHook): void {
    this.#hooks.push(hook);
  }

  /** Writes the response head after running the hooks. `headers` must use lower-case names. */
  writeHead(status: number, headers: OutgoingHttpHeaders): void {
    const head: ResponseHead = { status, headers };
    for (let i = this.#hooks.length - 1; i >= 0; i--) this.#hooks[i]?.(head);
    this.responseHead = head;
    this.res.writeHead(head.status, head.headers);
  }

  /** Answers with a short body (Go's `http.Error` style when `contentType` is text/plain). */
  send(status: number, body: string | Uint8Array, headers: OutgoingHttpHeaders = {}): void {
    if (this.res.headersSent) {
      this.res.destroy();
      return;
    }
    const bytes = typeof body === 'string' ? Buffer.from(body) : body;
    this.writeHead(status, { ...headers, 'content-length': bytes.byteLength });
    this.log.DownstreamContentSize += this.method === 'HEAD' ? 0 : bytes.byteLength;
    this.res.end(bytes);
  }

  /** Answers with a `text/plain; charset=utf-8` body, as Go's `http.Error` and Traefik's handlers do. */
  sendText(status: number, body: string, headers: OutgoingHttpHeaders = {}): void {
    this.send(status, body, { 'content-type': 'text/plain; charset=utf-8', ...headers });
  }
}

/** The reason of `Exchange.signal` when the client went away. */
export class ClientClosedError extends Error {
  readonly code = 'ERR_CLIENT_CLOSED';

  constructor() {
    super('client closed the connection');
    this.name = 'ClientClosedError';
  }
}

/**
 * True when the response was written in full. An HTTP/2 stream the client reset reports `writableFinished`
 * as well (Node's compatibility API), but never `writableEnded`.
 */
function answered(res: ServerResponse): boolean {
  return res.writableFinished && res.writableEnded;
}

function stripZone(address: string): string {
  const zone = address.indexOf('%');
  const ip = zone === -1 ? address : address.slice(0, zone);
  return ip.startsWith('::ffff:') && ip.includes('.') ? ip.slice(7) : ip;
}

/**
 * The authority and the rest of an absolute-form request target (`http://host/path`); undefined for any other
 * form. The authority of an absolute form wins over Host.
 */
function splitAbsolute(target: string): { authority: string; rest: string } | undefined {
  const scheme = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\//.exec(target);
  if (!scheme) return undefined;
  const afterScheme = target.slice(scheme[0].length);
  const end = afterScheme.search(/[/?#]/);
  const authority = end === -1 ? afterScheme : afterScheme.slice(0, end);
  let rest = end === -1 ? '/' : afterScheme.slice(end);
  if (!rest.startsWith('/')) rest = `/${rest}`;
  return { authority, rest };
}

/**
 * The request headers as a {@link HeaderMap}, built from the raw lines in one pass (what Node's
 * `headersDistinct` holds, without building it and then copying it). A `__proto__` header is stored as a
 * plain property, never as the map's prototype.
 */
function headerMapOf(raw: readonly string[]): HeaderMap {
  const headers: HeaderMap = {};
  for (let i = 0; i < raw.length; i += 2) {
    const name = (raw[i] as string).toLowerCase();
    const value = raw[i + 1] as string;
    const values = Object.hasOwn(headers, name) ? headers[name] : undefined;
    if (values !== undefined) values.push(value);
    else if (name === '__proto__')
      Object.defineProperty(headers, name, {
        value: [value],
        enumerable: true,
        writable: true,
        configurable: true,
      });
    else headers[name] = [value];
  }
  return headers;
}
