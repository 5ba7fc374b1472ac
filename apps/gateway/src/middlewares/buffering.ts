/**
 * `buffering` (Traefik, oxy's buffer): reads the whole request before it goes on, so the service gets it at
 * once with a Content-Length, and holds the answer until it is complete.
 *
 * - `maxRequestBodyBytes` (0: no limit): a larger request gets 413 `Request Entity Too Large` and never reaches
 *   the service (a Content-Length over it is refused before reading).
 * - `maxResponseBodyBytes` (0: no limit): a larger answer is not sent; the client gets 500.
 * - `retryExpression`: after each attempt, `IsNetworkError()` (the answer is 502 or 504), `Attempts()`,
 *   `ResponseCode()` and `RequestMethod()` decide whether the request is sent again (10 attempts at most); the
 *   held answer of a retried attempt is dropped.
 *
 * Bodies are held in memory: `memRequestBodyBytes` and `memResponseBodyBytes` (Traefik's thresholds for
 * spilling to disk) are accepted and have no effect, so set the maximums. An answer is only held when
 * `maxResponseBodyBytes` or `retryExpression` needs it; otherwise it streams.
 */

import type { OutgoingHttpHeaders } from 'node:http';
import type { BufferingConfig } from '../config/dynamic-schema.ts';
import { ResourceError } from '../errors.ts';
import type { Exchange } from '../http/exchange.ts';
import { ExpressionError, type ExpressionFunction, parseExpression } from './expression.ts';
import { statusText } from './http-error.ts';
import { restoreRequest, saveRequest } from './replay.ts';
import { interceptResponse, type ResponseSink } from './response-interceptor.ts';
import type { Middleware } from './types.ts';

/** What a retry expression sees of an attempt. */
interface Attempt {
  readonly attempt: number;
  readonly responseCode: number;
  readonly method: string;
}

const retryFunctions: Record<string, ExpressionFunction<Attempt>> = {
  IsNetworkError: {
    args: [],
    returns: 'predicate',
    make: () => (a) => a.responseCode === 502 || a.responseCode === 504,
  },
  Attempts: { args: [], returns: 'value', make: () => (a) => a.attempt },
  ResponseCode: { args: [], returns: 'value', make: () => (a) => a.responseCode },
  RequestMethod: { args: [], returns: 'value', make: () => (a) => a.method },
};

/** oxy's cap on attempts. */
const maxAttempts = 10;

/** Parses a retry expression; throws {@link ResourceError} naming the problem. */
export function parseRetryExpression(expression: string): (attempt: Attempt) => boolean {
  try {
    return parseExpression(expression, retryFunctions);
  } catch (error) {
    if (error instanceof ExpressionError) throw new ResourceError(`retryExpression: ${error.message}`);
    throw error;
  }
}

/** Builds a buffering middleware. */
export function buffering(options: BufferingConfig): Middleware {
  const maxRequest = options.maxRequestBodyBytes;
  const maxResponse = options.maxResponseBodyBytes;
  const retry = options.retryExpression === '' ? undefined : parseRetryExpression(options.retryExpression);
  const holdResponse = maxResponse > 0 || retry !== undefined;

  return (next) => async (exchange) => {
    const declared = Number(exchange.headers['content-length']?.[0] ?? 0);
    if (maxRequest > 0 && declared > maxRequest) {
      tooLarge(exchange);
      return;
    }
    const body = await exchange.readBody(maxRequest > 0 ? maxRequest : -1);
    if (body === undefined) {
      tooLarge(exchange);
      return;
    }
    if (exchange.clientGone) return;
    if (!holdResponse) return next(exchange);

    const request = saveRequest(exchange);
    for (let attempt = 1; ; attempt++) {
      const held = new HeldResponse(exchange, maxResponse);
      const remove = interceptResponse(exchange, (sink) => held.attach(sink));
      await Promise.all([next(exchange), held.done]);
      remove();
      if (held.aborted) return;
      if (held.overflow) {
        exchange.sendText(500, statusText(500));
        return;
      }
      const status = held.status;
      if (
        retry !== undefined &&
        attempt < maxAttempts &&
        retry({ attempt, responseCode: status, method: request.method })
      ) {
        restoreRequest(exchange, request);
        continue;
      }
      held.release();
      return;
    }
  };
}

function tooLarge(exchange: Exchange): void {
  exchange.res.shouldKeepAlive = false;
  exchange.sendText(413, statusText(413));
}

/** One attempt's answer, held whole (up to a limit). */
class HeldResponse {
  readonly #exchange: Exchange;
  readonly #limit: number;
  #sink: ResponseSink | undefined;
  #head: { status: number; headers: OutgoingHttpHeaders } | undefined;
  #chunks: Buffer[] = [];
  #size = 0;
  overflow = false;
  aborted = false;
  readonly done: Promise<void>;
  #finish: () => void = () => {};

  constructor(exchange: Exchange, limit: number) {
    this.#exchange = exchange;
    this.#limit = limit;
    this.done = new Promise((resolve) => {
      this.#finish = resolve;
    });
    // A client gone, or a handler that cut the connection (an upstream failing mid-answer): nothing to send.
    exchange.res.once('close', () => {
      this.aborted = true;
      this.#finish();
    });
  }

  attach(sink: ResponseSink) {
    this.#sink = sink;
    return {
      writeHead: (status: number, headers: OutgoingHttpHeaders) => {
        this.#head = { status, headers };
      },
      write: (chunk: Buffer) => {
        this.#hold(chunk);
        return true;
      },
      end: (chunk: Buffer | undefined) => {
        if (chunk !== undefined) this.#hold(chunk);
        this.#finish();
      },
    };
  }

  get status(): number {
    return this.#head?.status ?? 200;
  }

  #hold(chunk: Buffer): void {
    // The proxy counted these bytes as sent; they are counted when they are.
    if (this.#exchange.method !== 'HEAD') this.#exchange.log.DownstreamContentSize -= chunk.length;
    this.#size += chunk.length;
    if (this.#limit > 0 && this.#size > this.#limit) {
      this.overflow = true;
      this.#chunks = [];
      return;
    }
    if (!this.overflow) this.#chunks.push(chunk);
  }

  /** Sends the held answer on. */
  release(): void {
    const sink = this.#sink;
    if (sink === undefined) return;
    const head = this.#head ?? { status: 200, headers: {} };
    const body = Buffer.concat(this.#chunks);
    if (this.#exchange.method !== 'HEAD') this.#exchange.log.DownstreamContentSize += body.length;
    sink.writeHead(head.status, head.headers);
    sink.end(body.length > 0 ? body : undefined);
  }
}
