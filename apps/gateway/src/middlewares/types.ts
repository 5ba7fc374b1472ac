/**
 * The shape every middleware shares: it wraps one handler into another (like undici's interceptors wrap a
 * dispatch function), so a router's chain is plain function composition, built once at load time.
 */

import type { Handler } from '../http/handler.ts';

/** Wraps the next handler. Built once per router at load time; never per request. */
export type Middleware = (next: Handler) => Handler;
