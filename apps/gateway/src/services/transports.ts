/**
 * Servers transports → the settings pools are made with: Traefik's defaults applied, TLS files read. The
 * static `serversTransport` is the `default@internal` transport, used by services that name none.
 */

import type { ServersTransportConfig } from '../config/servers-transport-schema.ts';
import type { StaticConfig } from '../config/static.ts';
import type { TransportSettings } from '../http/transport.ts';
import { upstreamTls } from '../http/upstream-tls.ts';

/** Go's `http.DefaultMaxIdleConnsPerHost`, what `maxIdleConnsPerHost: 0` (or none) means. */
const goDefaultMaxIdleConnsPerHost = 2;

/**
 * A dynamic `http.serversTransports.<name>`. Its unset timeouts are Traefik's defaults for a transport
 * (dial 30 s, response header none, idle 90 s), not the static transport's: Traefik never merges the two.
 * Throws (naming the field) when a CA or certificate cannot be loaded.
 */
export function serversTransportSettings(config: ServersTransportConfig, path: string): TransportSettings {
  const timeouts = config.forwardingTimeouts ?? {};
  return {
    dialTimeout: timeouts.dialTimeout ?? 30_000,
    responseHeaderTimeout: timeouts.responseHeaderTimeout ?? 0,
    idleConnTimeout: timeouts.idleConnTimeout ?? 90_000,
    maxIdleConnsPerHost: config.maxIdleConnsPerHost || goDefaultMaxIdleConnsPerHost,
    disableHTTP2: config.disableHTTP2 === true,
    tls: upstreamTls(config, path),
  };
}

/**
 * The static `serversTransport` (Traefik's `default@internal`): forwardingTimeouts, insecureSkipVerify,
 * rootCAs and maxIdleConnsPerHost (200 when unset, as Traefik's static defaults say). Throws at start when a
 * CA cannot be loaded.
 */
export function defaultTransportSettings(config: StaticConfig['serversTransport']): TransportSettings {
  const timeouts = config?.forwardingTimeouts;
  return {
    dialTimeout: timeouts?.dialTimeout ?? 30_000,
    responseHeaderTimeout: timeouts?.responseHeaderTimeout ?? 0,
    idleConnTimeout: timeouts?.idleConnTimeout ?? 90_000,
    maxIdleConnsPerHost: (config?.maxIdleConnsPerHost ?? 200) || goDefaultMaxIdleConnsPerHost,
    tls: upstreamTls(
      { insecureSkipVerify: config?.insecureSkipVerify, rootCAs: config?.rootCAs },
      'serversTransport',
    ),
  };
}
