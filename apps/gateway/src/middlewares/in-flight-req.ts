/**
 * `inFlightReq` (Traefik, oxy's connlimit): at most `amount` requests of one source (`sourceCriterion`; the
 * Host by default) at a time; one more gets 429 `max connections reached: <amount>`. A request counts until
 * its answer is complete or its client has gone. The counts belong to one router's chain and start from zero
 * on every configuration reload, as Traefik rebuilds its middlewares.
 */

import type { InFlightReqConfig } from '../config/dynamic-schema.ts';
import { sourceExtractor } from './client-ip.ts';
import type { Middleware } from './types.ts';

/** Builds an inFlightReq middleware. */
export function inFlightReq(options: InFlightReqConfig): Middleware {
  const sourceOf = sourceExtractor(options.sourceCriterion, 'host');
  const amount = options.amount;
  const refusal = `max connections reached: ${amount}`;
  return (next) => {
    const inFlight = new Map<string, number>();
    return (exchange) => {
      const source = sourceOf(exchange);
      const count = inFlight.get(source) ?? 0;
      if (count >= amount) {
        exchange.sendText(429, refusal);
        return Promise.resolve();
      }
      inFlight.set(source, count + 1);
      // The response, not the handler's promise, ends a request: the proxy resolves once it is done, but a
      // handler may resolve while its answer still streams.
      exchange.res.once('close', () => {
        const left = (inFlight.get(source) ?? 1) - 1;
        if (left <= 0) inFlight.delete(source);
        else inFlight.set(source, left);
      });
      return next(exchange);
    };
  };
}
