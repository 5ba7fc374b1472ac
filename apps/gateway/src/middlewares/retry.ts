/**
 * `retry` (Traefik v3.7): sends a request down the chain again (so through the load balancer again, to the
 * next server) while nothing was written to the client, up to `attempts` times in all.
 *
 * - Network errors: an attempt whose upstream could not be reached with nothing sent to it (connection
 *   refused or reset while connecting, connect timeout, unknown host) is retried, unless
 *   `disableRetryOnNetworkError`. Answers made before the proxy (an auth middleware's 401) are never retried.
 * - `status` (`"503"`, `"500-599"`): answers with those codes are retried too, for idempotent methods (and
 *   POST, PATCH, LOCK with `retryNonIdempotentMethod`).
 * - `initialInterval`: waits between attempts grow exponentially (cenkalti/backoff, randomized ±50%, the
 *   multiplier chosen so the last wait is about twice the first); unset, attempts follow each other at once.
 * - `timeout`: once it has passed since the first attempt, the answer in hand is sent, whatever it is.
 * - The last attempt's answer is sent as it is.
 *
 * A request body is replayed from memory: one with a Content-Length up to `maxRequestBodyBytes` (default
 * 2 MiB) is read first; a larger or chunked one is sent once, without retries (Traefik can still retry it on a
 * network error, as Go's transport has not read it yet; this proxy streams it from the start).
 */

import type { OutgoingHttpHeaders } from 'node:http';
import type { RetryConfig } from '../config/dynamic-schema.ts';
import { ResourceError } from '../errors.ts';
import type { Exchange } from '../http/exchange.ts';
import type { Handler } from '../http/handler.ts';
import { hasBody, restoreRequest, saveRequest } from './replay.ts';
import { interceptResponse, type ResponseSink } from './response-interceptor.ts';
import { inRanges, parseStatusRanges } from './status-ranges.ts';
import type { Middleware } from './types.ts';

/** Failures that happen before anything is sent upstream. */
const nothingSent = new Set([
  'ECONNREFUSED',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'UND_ERR_CONNECT_TIMEOUT',
]);

/** cenkalti/backoff's ExponentialBackOff as Traefik sets it up: the next wait (ms), or undefined to stop. */
export function backoff(initialInterval: number, attempts: number): () => number {
  if (attempts < 2 || initialInterval <= 0) return () => 0;
  const multiplier = 2 ** (1 / (attempts - 1));
  const maxInterval = 60_000;
  let current = initialInterval;
  return () => {
    const delta = 0.5 * current;
    const next = current - delta + Math.random() * (2 * delta + 1e-6);
    current = current >= maxInterval / multiplier ? maxInterval : current * multiplier;
    return next;
  };
}

/** Builds a retry middleware. Throws {@link ResourceError} for what Traefik refuses. */
export function retry(options: RetryConfig): Middleware {
  const statuses = parseStatusRanges(options.status);
  if (statuses.length === 0 && options.disableRetryOnNetworkError) {
    throw new ResourceError('retry middleware requires at least HTTP status codes or retry on TCP');
  }
  if (options.attempts <= 0) {
    throw new ResourceError(`incorrect (or empty) value for attempt (${options.attempts})`);
  }
  const attempts = options.attempts;
  const maxBody = options.maxRequestBodyBytes;
  const timeout = options.timeout;
  const network = !options.disableRetryOnNetworkError;

  return (next) => async (exchange) => {
    if (attempts === 1) return next(exchange);
    if (hasBody(exchange)) {
      const length = Number(exchange.headers['content-length']?.[0] ?? Number.NaN);
      const replayable =
        exchange.headers['transfer-encoding'] === undefined && (maxBody < 0 || length <= maxBody);
      if (!replayable || (await exchange.readBody(-1)) === undefined) return next(exchange);
      if (exchange.clientGone) return;
    }
    const idempotent = !['POST', 'PATCH', 'LOCK'].includes(exchange.method);
    const retriedStatuses = idempotent || options.retryNonIdempotentMethod ? statuses : [];
    const request = saveRequest(exchange);
    const started = performance.now();
    const wait = backoff(options.initialInterval, attempts);

    for (let attempt = 1; attempt < attempts; attempt++) {
      const timedOut = () => timeout > 0 && performance.now() - started >= timeout;
      const outcome = await tryOnce(exchange, next, (status) => {
        if (timedOut()) return false;
        const code = exchange.log.upstreamError;
        if (network && code !== undefined && nothingSent.has(code)) return true;
        return inRanges(retriedStatuses, status);
      });
      if (outcome !== 'retry') return;
      exchange.log.RetryAttempts = attempt;
      restoreRequest(exchange, request);
      exchange.log.upstreamError = undefined;
      const delay = wait();
      if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
      if (exchange.clientGone) {
        exchange.res.destroy();
        return;
      }
    }
    return next(exchange);
  };
}

/**
 * One attempt: its answer goes to the client unless `shouldRetry(status)` says to drop it (decided when its
 * head comes). Resolves once the attempt is over.
 */
async function tryOnce(
  exchange: Exchange,
  next: Handler,
  shouldRetry: (status: number) => boolean,
): Promise<'sent' | 'retry' | 'gone'> {
  let decided: 'pass' | 'drop' | undefined;
  let finish: () => void = () => {};
  const done = new Promise<void>((resolve) => {
    finish = resolve;
  });
  const onClose = () => finish();
  exchange.res.once('close', onClose);
  const remove = interceptResponse(exchange, (sink: ResponseSink) => ({
    writeHead(status: number, headers: OutgoingHttpHeaders) {
      if (decided === undefined) decided = shouldRetry(status) ? 'drop' : 'pass';
      if (decided === 'pass') sink.writeHead(status, headers);
    },
    write(chunk: Buffer) {
      if (decided === 'pass') return sink.write(chunk);
      // A dropped answer: the proxy counted its bytes as sent.
      if (exchange.method !== 'HEAD') exchange.log.DownstreamContentSize -= chunk.length;
      return true;
    },
    end(chunk: Buffer | undefined) {
      if (decided === 'pass') sink.end(chunk);
      else if (chunk !== undefined && exchange.method !== 'HEAD')
        exchange.log.DownstreamContentSize -= chunk.length;
      if (decided !== undefined) finish();
    },
  }));
  await Promise.all([next(exchange), done]);
  remove();
  exchange.res.off('close', onClose);
  if (decided === 'drop' && !exchange.res.destroyed) return 'retry';
  return decided === 'pass' ? 'sent' : 'gone';
}
