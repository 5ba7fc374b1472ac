/**
 * The shapes every middleware shares. A handler serves an exchange; a middleware wraps one handler into another
 * (like undici's interceptors wrap a dispatch function), so a router's chain is plain function composition,
 * built once at load time.
 */

import type { Exchange } from '../http/exchange.ts';

/** Serves one exchange. Resolves when the handler is done with it (the response may still be streaming). */
export type Handler = (exchange: Exchange) => Promise<void>;

/** Wraps the next handler. Built once per router at load time; never per request. */
export type Middleware = (next: Handler) => Handler;
