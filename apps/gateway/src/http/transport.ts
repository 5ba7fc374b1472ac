/**
 * How the gateway reaches an upstream or an auth server: the transport settings of a keep-alive pool, and the
 * function that hands one out. Shared by services and middlewares (forwardAuth); `services/pools.ts` implements it.
 */

import type { PeerCertificate, SecureContext } from 'node:tls';
import type { Pool } from 'undici';

/** How to speak TLS to `https://` servers (a servers transport's TLS fields, built by http/upstream-tls.ts). */
export interface UpstreamTls {
  /** Identifies these settings (a digest of the CAs, certificates and options), so equal ones share pools. */
  readonly id: string;
  /** CAs, client certificates and TLS versions, made once and shared by every connection. */
  readonly secureContext: SecureContext;
  /** SNI and the name the certificate must carry (`serverName`); default: the server URL's host. */
  readonly servername?: string;
  /** False with `insecureSkipVerify` (and no `peerCertSANs`, which need the chain verified). */
  readonly rejectUnauthorized: boolean;
  /** Replaces Node's host name check when `peerCertSANs` or `insecureSkipVerify` change it. */
  readonly checkServerIdentity?: (host: string, cert: PeerCertificate) => Error | undefined;
}

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
  /** TLS towards `https://` servers; default: Node's own (its bundled CAs). */
  readonly tls?: UpstreamTls;
  /**
   * Idle keep-alive connections kept per server (`maxIdleConnsPerHost`): -1 keeps none, undefined no limit.
   * HTTP/2 connections are shared by all requests and not counted.
   */
  readonly maxIdleConnsPerHost?: number;
  /** Speak HTTP/1.1 to `https://` servers even when they offer HTTP/2 through ALPN (`disableHTTP2`). */
  readonly disableHTTP2?: boolean;
}

/**
 * The origin a server URL's pool is leased for. `h2c://host:port` (cleartext HTTP/2 with prior knowledge, as
 * in Traefik) is kept as is, since `URL.origin` is "null" for that scheme; the pool registry knows it.
 */
export function upstreamOrigin(url: URL): string {
  return url.protocol === 'h2c:' ? `h2c://${url.host}` : url.origin;
}

/** Gives the keep-alive pool for `origin` with these settings (created on first use, shared across reloads). */
export type LeasePool = (origin: string, settings: TransportSettings) => Pool;
