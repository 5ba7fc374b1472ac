/**
 * `ipAllowList` (Traefik; `ipWhiteList` is its deprecated name): only clients whose address (chosen by
 * `ipStrategy`, see client-ip.ts) is in `sourceRange` pass; the others get `rejectStatusCode` (403 by default)
 * with the status text as body. An empty address (X-Forwarded-For shorter than `depth`) never passes.
 */

import { STATUS_CODES } from 'node:http';
import type { IpAllowListConfig } from '../config/dynamic-schema.ts';
import { ResourceError } from '../errors.ts';
import { IpChecker, ipStrategy } from './client-ip.ts';
import { statusText } from './http-error.ts';
import type { Middleware } from './types.ts';

/** Builds an ipAllowList middleware. Throws {@link ResourceError} for what Traefik refuses. */
export function ipAllowList(options: IpAllowListConfig): Middleware {
  if (options.sourceRange.length === 0) {
    throw new ResourceError('sourceRange is empty, IPAllowLister not created');
  }
  const status = options.rejectStatusCode === 0 ? 403 : options.rejectStatusCode;
  if (STATUS_CODES[status] === undefined) throw new ResourceError(`invalid HTTP status code ${status}`);
  const checker = new IpChecker(options.sourceRange);
  const clientIp = ipStrategy(options.ipStrategy);
  const body = statusText(status);
  return (next) => (exchange) => {
    if (checker.allows(clientIp(exchange))) return next(exchange);
    exchange.sendText(status, body);
    return Promise.resolve();
  };
}
