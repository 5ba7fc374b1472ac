/**
 * How the gateway reaches an upstream or an auth server: the transport settings of a keep-alive pool, and the
 * function that hands one out. Shared by services and middlewares (forwardAuth); `services/pools.ts` implements it.
 */

import type { Pool } from 'undici';

/**
 * How to reach an upstream: Traefik's `serversTransport.forwardingTimeouts`, in milliseconds (0 means none),
 * and what the pool enforces on answers.
 */
export interface TransportSettings {
  readonly dialTimeout: number;
  readonly responseHeaderTimeout: number;
  readonly idleConnTimeout: number;
  /**
   * Longest gap while reading a response body; 0 (the default) means none, as in Traefik, where a long
   * download or a slow stream is legitimate. Auth servers get one, as part of forwardAuth's timeout.
   */
  readonly bodyTimeout?: number;
  /**
   * Largest response body, in bytes; -1 (the default) means none. undici enforces it while reading and then
   * fails the body with `UND_ERR_RES_EXCEEDED_MAX_SIZE` (forwardAuth's `maxResponseBodySize`).
   */
  readonly maxResponseSize?: number;
}

/** Gives the keep-alive pool for `origin` with these settings (created on first use, shared across reloads). */
export type LeasePool = (origin: string, settings: TransportSettings) => Pool;
