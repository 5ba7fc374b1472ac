/**
 * What serves a request, wherever it sits in the pipeline: a middleware's next step, a load balancer, an
 * internal service such as `api@internal`. Neutral ground, so middlewares, services, the router and the admin
 * routes share the shape without depending on one another.
 */

import type { Exchange } from './exchange.ts';

/** Serves one exchange. Resolves when the handler is done with it (the response may still be streaming). */
export type Handler = (exchange: Exchange) => Promise<void>;
