/**
 * The shape shared by the gateway's calls to an upstream through undici's dispatch API (forwardAuth's auth
 * request, the proxy's request): the call is cancelled when the client goes away (through
 * {@link Exchange.cancelOnClientGone}, no AbortSignal), and informational answers (100, 103) are skipped, the
 * final answer following them.
 */

import type { IncomingHttpHeaders } from 'node:http';
import type { Dispatcher } from 'undici';
import type { Exchange } from './exchange.ts';

/** One exchange's call to an upstream; subclasses handle the final answer, its body and its end. */
export abstract class UpstreamCall implements Dispatcher.DispatchHandler {
  protected readonly exchange: Exchange;

  constructor(exchange: Exchange) {
    this.exchange = exchange;
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.exchange.cancelOnClientGone(controller);
  }

  onResponseStart(
    _controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: IncomingHttpHeaders,
  ): void {
    if (statusCode >= 200) this.onAnswer(statusCode, headers);
  }

  /** The final answer's status and headers. */
  protected abstract onAnswer(statusCode: number, headers: IncomingHttpHeaders): void;
}
