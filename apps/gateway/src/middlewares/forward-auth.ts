/**
 * `forwardAuth` (Traefik §2.1): asks an auth server about every request before letting it through.
 *
 * - The auth request is a GET (or the original method with `preserveRequestMethod`) to `address` exactly,
 *   with the request's headers minus hop-by-hop ones (or only `authRequestHeaders`), and X-Forwarded-Method,
 *   -Proto, -Host, -Uri, -For (and -Port) set according to `trustForwardHeader` (three modes, see below).
 *   Redirects are not followed.
 * - 2xx: each `authResponseHeaders` name (and each header matching `authResponseHeadersRegex`) is removed from
 *   the request, so a client cannot forge it, then copied from the auth response; the request goes on.
 * - Anything else is returned to the client as is (status, headers minus hop-by-hop, body), with `Location`
 *   made absolute.
 * - The auth server unreachable or too slow: 500 with an empty body. The backend is never called (fail closed).
 * - An auth answer (of any status) longer than `maxResponseBodySize`: 401 with an empty body.
 *
 * With `forwardBody`, the request body (up to `maxBodySize`, else 401) is read into memory, sent to the auth
 * server, and replayed to the backend.
 *
 * Extension: `timeout` (default 30 s, Traefik's fixed value), traefik/traefik#9857.
 *
 * `tls` (Traefik's ClientTLS) is how an https:// auth server is reached: `ca` replaces the trusted store, `cert`
 * with `key` is the client certificate offered to it, `insecureSkipVerify` accepts any server certificate. A
 * failed handshake is an unreachable auth server: 500.
 */

import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';
import type { Dispatcher } from 'undici';
import type { ForwardAuthConfig } from '../config/dynamic-schema.ts';
import { readFileOrContent } from '../config/file-or-content.ts';
import type { ForwardAuthCacheConfig } from '../config/forward-auth-cache-schema.ts';
import type { Exchange } from '../http/exchange.ts';
import { forwardedPort, isForwardedHeader } from '../http/forwarded.ts';
import { canonicalHeaderName } from '../http/headers.ts';
import {
  authHopHeaders,
  authHopSet,
  type HeaderNameSet,
  outgoingRequestHeaders,
  outgoingResponseHeaders,
} from '../http/hop-by-hop.ts';
import type { LeasePool, UpstreamTls } from '../http/transport.ts';
import { UpstreamCall } from '../http/upstream-call.ts';
import { upstreamTls } from '../http/upstream-tls.ts';
import { compileRe2, type Re2Pattern } from '../rules/re2.ts';
import { type CachePolicy, cacheLifetime } from './auth/cache-policy.ts';
import { DecisionCache } from './auth/decision-cache.ts';
import type { Middleware } from './types.ts';

/** What forwardAuth needs besides its config. */
export interface ForwardAuthDeps {
  /** Gives the keep-alive pool for the auth server's origin. */
  readonly lease: LeasePool;
  /** Called when the auth server cannot be reached (the client gets 500). */
  readonly onError?: (error: unknown) => void;
  /** Counts each decision (the dashboard's live view); `error` is a failed or oversized auth answer. */
  readonly decisions?: Readonly<Record<'allowed' | 'denied' | 'error', { inc(): void }>> | undefined;
}

/** How X-Forwarded-* reach the auth server (Traefik v3.6.14+ tri-state `trustForwardHeader`). */
type TrustMode = 'legacy' | 'untrusted' | 'trusted';

/** The answer of the auth server, read whole (auth answers are small). */
interface AuthAnswer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Uint8Array;
}

/** undici's code for a body over the pool's `maxResponseSize` (`ResponseExceededMaxSizeError`). */
const BODY_TOO_LARGE = 'UND_ERR_RES_EXCEEDED_MAX_SIZE';

/**
 * Builds a forwardAuth middleware; the auth server's pool is leased now. With `cache` (the `cachedForwardAuth`
 * plugin), decisions are reused as `auth/cache-policy.ts` allows, each middleware build with its own cache.
 */
export function forwardAuth(
  options: ForwardAuthConfig & { readonly cache?: ForwardAuthCacheConfig | undefined },
  deps: ForwardAuthDeps,
): Middleware {
  const address = new URL(options.address);
  const authPath = `${address.pathname}${address.search}`;
  // The timeout is the pool's: the auth server must send its headers, and then each part of its (small) body,
  // within it. A per-request AbortSignal.timeout combined with AbortSignal.any would cost a timer, two signals
  // and a composite-signal registration on every request. The body cap is the pool's too: undici counts the
  // bytes as they arrive and fails the read past it (Traefik: unset or negative means no cap).
  const maxBody = options.maxResponseBodySize ?? -1;
  const pool = deps.lease(address.origin, {
    dialTimeout: Math.min(30_000, options.timeout),
    responseHeaderTimeout: options.timeout,
    idleConnTimeout: 90_000,
    bodyTimeout: options.timeout,
    maxResponseSize: maxBody >= 0 ? maxBody : -1,
    ...(options.tls === undefined ? {} : { tls: authServerTls(options.tls) }),
  });
  const mode: TrustMode =
    options.trustForwardHeader === undefined
      ? 'legacy'
      : options.trustForwardHeader
        ? 'trusted'
        : 'untrusted';
  const allowed =
    options.authRequestHeaders.length > 0
      ? new Set(options.authRequestHeaders.map((h) => h.toLowerCase()))
      : undefined;
  const copied = options.authResponseHeaders.map((h) => h.toLowerCase());
  // RE2, as Traefik: request header names come from the client, and a backtracking regexp could stall on one.
  const copiedRegex =
    options.authResponseHeadersRegex !== undefined ? compileRe2(options.authResponseHeadersRegex) : undefined;
  const authCookies = new Set(options.addAuthCookiesToResponse);
  const userHeader = options.headerField?.toLowerCase();
  const decisions = deps.decisions;

  // Which request headers reach the auth server, decided once here: the allowed ones (all by default), with
  // the X-Forwarded-* a client sent dropped (untrusted) or kept whether allowed or not (trusted).
  const keep: ((name: string) => boolean) | undefined =
    mode === 'untrusted'
      ? (name) => (allowed === undefined || allowed.has(name)) && !isForwardedHeader(name)
      : allowed === undefined
        ? undefined
        : mode === 'trusted'
          ? (name) => allowed.has(name) || isForwardedHeader(name)
          : (name) => allowed.has(name);
  const method = options.preserveRequestMethod ? undefined : 'GET';
  const cache = options.cache === undefined ? undefined : decisionCache(options, copied, copiedRegex);

  const ask = (
    exchange: Exchange,
    headers: Record<string, string | string[]>,
    body: Buffer | undefined,
  ): Promise<AuthAnswer> => {
    if (body !== undefined) headers['content-length'] = String(body.length);
    return new Promise((resolve, reject) => {
      pool.dispatch(
        { method: method ?? exchange.method, path: authPath, headers, body: body ?? null },
        new AuthCall(exchange, resolve, reject),
      );
    });
  };

  return (next) => async (exchange) => {
    let body: Buffer | undefined;
    if (options.forwardBody) {
      // The body is read into memory for the auth server, then replayed to the backend (Traefik v3.3+).
      body = await exchange.readBody(options.maxBodySize);
      if (body === undefined) {
        decisions?.denied.inc();
        exchange.send(401, '');
        return;
      }
    }
    let answer: AuthAnswer | undefined;
    const headers = authRequestHeaders(exchange, mode, keep, address.host);
    const key = cache?.keyOf(exchange, headers);
    if (key !== undefined) answer = cache?.get(key);
    if (answer === undefined) {
      try {
        answer = await ask(exchange, headers, body);
        if (key !== undefined) cache?.offer(key, answer);
      } catch (error) {
        if (exchange.clientGone) {
          exchange.res.statusCode = 499;
          exchange.res.destroy();
          return;
        }
        decisions?.error.inc();
        // An auth answer over maxResponseBodySize never lets the request through, whatever its status.
        if ((error as { code?: unknown }).code === BODY_TOO_LARGE) {
          exchange.send(401, '');
          return;
        }
        deps.onError?.(error);
        exchange.send(500, '');
        return;
      }
    }

    if (userHeader !== undefined) {
      const user = first(answer.headers[userHeader]);
      if (user !== undefined) exchange.log.ClientUsername = user;
    }

    if (answer.status < 200 || answer.status > 299) {
      decisions?.denied.inc();
      if (answer.status === 401 && options.authSigninURL !== undefined) {
        exchange.send(302, '', { location: options.authSigninURL });
        return;
      }
      exchange.send(answer.status, answer.body, denialHeaders(answer.headers, address, options));
      return;
    }

    decisions?.allowed.inc();
    for (const name of copied) {
      delete exchange.headers[name];
      const value = answer.headers[name];
      if (value !== undefined) exchange.headers[name] = Array.isArray(value) ? [...value] : [value];
    }
    if (copiedRegex !== undefined) {
      for (const name of Object.keys(exchange.headers)) {
        if (copiedRegex.test(canonicalHeaderName(name))) delete exchange.headers[name];
      }
      for (const [name, value] of Object.entries(answer.headers)) {
        if (value === undefined || !copiedRegex.test(canonicalHeaderName(name))) continue;
        exchange.headers[name] = Array.isArray(value) ? [...value] : [value];
      }
    }
    if (authCookies.size > 0) addAuthCookies(exchange, answer.headers['set-cookie'], authCookies);
    return next(exchange);
  };
}

/**
 * The TLS settings of the auth server's pool, read with the servers transports' reader (FileOrContent files,
 * the same pool sharing). Throws when only one of cert and key is given (as Traefik) or a file is unreadable.
 */
function authServerTls(tls: NonNullable<ForwardAuthConfig['tls']>): UpstreamTls {
  if ((tls.cert === undefined) !== (tls.key === undefined)) {
    throw new Error('forwardAuth.tls: both cert and key must be defined');
  }
  // Read here first, so an error names Traefik's field (upstreamTls takes PEM content as it is).
  const read = (value: string | undefined, field: string) =>
    value === undefined ? undefined : readFileOrContent(value, `forwardAuth.tls.${field}`);
  const ca = read(tls.ca, 'ca');
  const cert = read(tls.cert, 'cert');
  const key = read(tls.key, 'key');
  return upstreamTls(
    {
      insecureSkipVerify: tls.insecureSkipVerify,
      ...(ca === undefined ? {} : { rootCAs: [ca] }),
      ...(cert === undefined || key === undefined
        ? {}
        : { certificates: [{ certFile: cert, keyFile: key }] }),
    },
    'forwardAuth.tls',
  );
}

/** The decisions a `cachedForwardAuth` middleware reuses. */
interface AnswerCache {
  /** The key of this exchange's decision, from the key headers of its auth request (and its method). */
  keyOf(exchange: Exchange, authHeaders: Readonly<Record<string, string | string[]>>): string;
  get(key: string): AuthAnswer | undefined;
  /** Keeps `answer` for as long as the policy allows, if at all. */
  offer(key: string, answer: AuthAnswer): void;
}

function decisionCache(
  options: ForwardAuthConfig & { readonly cache?: ForwardAuthCacheConfig | undefined },
  copied: readonly string[],
  copiedRegex: Re2Pattern | undefined,
): AnswerCache | undefined {
  const config = options.cache;
  if (config === undefined) return undefined;
  const keyNames = config.key.map((name) => name.toLowerCase());
  const store = new DecisionCache<AuthAnswer>(config.maxEntries);
  const copiedNames = new Set(copied);
  const policy: CachePolicy = {
    ttl: config.ttl,
    negativeTtl: config.negativeTtl,
    key: new Set(keyNames),
    copied: (name) => copiedNames.has(name) || (copiedRegex?.test(canonicalHeaderName(name)) ?? false),
  };
  // With preserveRequestMethod the auth server sees the method, so the decision may depend on it.
  const withMethod = options.preserveRequestMethod;
  return {
    keyOf(exchange, authHeaders) {
      const values = keyNames.map((name) => authHeaders[name] ?? null);
      return store.keyOf(JSON.stringify(withMethod ? [exchange.method, values] : values));
    },
    get: (key) => store.get(key),
    offer(key, answer) {
      const lifetime = cacheLifetime(answer, policy);
      if (lifetime <= 0) return;
      // Without the auth server's Date, so each reuse of a denial gets a fresh one; the body is copied out of
      // the socket's read buffer, which it would otherwise keep alive.
      const { date: _date, ...headers } = answer.headers;
      store.set(key, { status: answer.status, headers, body: Buffer.from(answer.body) }, lifetime);
    },
  };
}

/**
 * The auth server's answer as undici's dispatch handler: status, headers and the (small, capped by the pool's
 * `maxResponseSize`) body, read whole. No stream or AbortSignal per request: the client going away aborts the
 * call through {@link Exchange.cancelOnClientGone}.
 */
class AuthCall extends UpstreamCall {
  readonly #resolve: (answer: AuthAnswer) => void;
  readonly #reject: (error: Error) => void;
  #status = 0;
  #headers: IncomingHttpHeaders = {};
  #chunks: Buffer[] = [];

  constructor(exchange: Exchange, resolve: (answer: AuthAnswer) => void, reject: (error: Error) => void) {
    super(exchange);
    this.#resolve = resolve;
    this.#reject = reject;
  }

  protected onAnswer(statusCode: number, headers: IncomingHttpHeaders): void {
    this.#status = statusCode;
    this.#headers = headers;
  }

  onResponseData(_controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.#chunks.push(chunk);
  }

  onResponseEnd(): void {
    this.exchange.cancelOnClientGone(undefined);
    const chunks = this.#chunks;
    const body =
      chunks.length === 0 ? noBody : chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks);
    this.#resolve({ status: this.#status, headers: this.#headers, body });
  }

  onResponseError(_controller: Dispatcher.DispatchController | null, error: Error): void {
    this.exchange.cancelOnClientGone(undefined);
    this.#reject(error);
  }
}

const noBody = new Uint8Array(0);

/** Never copied from the request: hop-by-hop, and written from the request itself (Go's Request.Write). */
const authRequestDrop: HeaderNameSet = new Set([...authHopHeaders, 'host', 'content-length', 'expect']);

/** The headers of the auth request, per trust mode (Traefik's `writeHeader` / `oldWriteHeader`). */
function authRequestHeaders(
  exchange: Exchange,
  mode: TrustMode,
  keep: ((name: string) => boolean) | undefined,
  authHost: string,
): Record<string, string | string[]> {
  const headers = outgoingRequestHeaders(exchange.headers, authRequestDrop, keep);
  const uri = exchange.requestUri();
  const proto = exchange.tls ? 'https' : 'http';
  if (mode === 'trusted') {
    // Incoming X headers win; For gets the peer appended.
    const prior = headers['x-forwarded-for'];
    const joined = Array.isArray(prior) ? prior.join(', ') : prior;
    headers['x-forwarded-for'] = joined ? `${joined}, ${exchange.remoteAddr}` : exchange.remoteAddr;
    headers['x-forwarded-method'] ??= exchange.method;
    headers['x-forwarded-proto'] ??= proto;
    headers['x-forwarded-host'] ??= exchange.host;
    headers['x-forwarded-uri'] ??= uri;
    headers['x-forwarded-port'] ??= forwardedPort(exchange.host, exchange.tls);
  } else {
    // Legacy: incoming X headers stay (Prefix, Port, Real-Ip...), these are overwritten. Untrusted: none came
    // through, and Port is set too.
    headers['x-forwarded-for'] = exchange.remoteAddr;
    if (mode === 'untrusted') headers['x-forwarded-port'] = forwardedPort(exchange.host, exchange.tls);
    headers['x-forwarded-method'] = exchange.method;
    headers['x-forwarded-proto'] = proto;
    headers['x-forwarded-host'] = exchange.host;
    headers['x-forwarded-uri'] = uri;
  }
  headers.host = authHost;
  return headers;
}

/** Headers of a non-2xx auth answer as the client gets them. */
function denialHeaders(
  incoming: IncomingHttpHeaders,
  address: URL,
  options: ForwardAuthConfig,
): OutgoingHttpHeaders {
  const out = outgoingResponseHeaders(incoming, authHopSet);
  delete out['content-length'];
  const location = out.location;
  if (typeof location === 'string' && !options.preserveLocationHeader) {
    try {
      out.location = new URL(location, address).href;
    } catch {
      // Not a URL reference: pass it on unchanged.
    }
  }
  return out;
}

/** `addAuthCookiesToResponse`: the auth server's cookies with these names replace the backend's. */
function addAuthCookies(
  exchange: Exchange,
  setCookie: string[] | undefined,
  names: ReadonlySet<string>,
): void {
  const authCookies = (setCookie ?? []).filter((cookie) => names.has(cookieName(cookie)));
  if (authCookies.length === 0) return;
  exchange.onResponseHeaders((head) => {
    const current = head.headers['set-cookie'];
    const backend = (
      Array.isArray(current) ? current : current === undefined ? [] : [String(current)]
    ).filter((cookie) => !names.has(cookieName(cookie)));
    head.headers['set-cookie'] = [...backend, ...authCookies];
  });
}

const cookieName = (cookie: string): string => cookie.slice(0, cookie.indexOf('=')).trim();

const first = (value: string | string[] | undefined): string | undefined =>
  Array.isArray(value) ? value[0] : value;
