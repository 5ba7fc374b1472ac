/**
 * Traefik's `http.serversTransports.<name>` (how the gateway reaches a service's servers) and the fields the
 * static `serversTransport` (the `default@internal` transport) shares with it. Durations are in milliseconds;
 * certificates and CAs are Traefik's FileOrContent (a file path or the PEM itself), read when the configuration
 * is built (services/transports.ts).
 */

import { boolean, duration, type Infer, integer, list, object, oneOf, required, string } from './schema.ts';

const notYet = 'not supported by this gateway yet';

/** Traefik's `VersionTLS1x` names. */
export const tlsVersions = ['VersionTLS10', 'VersionTLS11', 'VersionTLS12', 'VersionTLS13'] as const;

/** A CA or certificate: a file path or PEM content. */
const fileOrContent = string({ nonEmpty: true });

/** `rootCAs`: CAs that replace the system store when verifying servers' certificates. */
export const rootCAsSchema = list(fileOrContent);

/** `maxIdleConnsPerHost`: -1 keeps no idle connection, 0 means Go's default (2). */
export const maxIdleConnsPerHostSchema = integer({ min: -1 });

export const serversTransportSchema = object(
  {
    serverName: string(),
    insecureSkipVerify: boolean(),
    rootCAs: rootCAsSchema,
    certificates: list(object({ certFile: required(fileOrContent), keyFile: required(fileOrContent) })),
    minVersion: oneOf(tlsVersions),
    maxVersion: oneOf(tlsVersions),
    forwardingTimeouts: object(
      {
        dialTimeout: duration({ min: 0 }),
        responseHeaderTimeout: duration({ min: 0 }),
        idleConnTimeout: duration({ min: 0 }),
      },
      {
        ignored: {
          readIdleTimeout: 'HTTP/2 ping health checks are not supported, ignored',
          pingTimeout: 'HTTP/2 ping health checks are not supported, ignored',
        },
      },
    ),
    maxIdleConnsPerHost: maxIdleConnsPerHostSchema,
    disableHTTP2: boolean(),
    // The server certificate must carry one of these SANs (checked on top of the usual verification).
    peerCertSANs: list(
      object({ type: required(oneOf(['DNSName', 'URI'])), value: required(string({ nonEmpty: true })) }),
    ),
    // Deprecated in Traefik for peerCertSANs: one URI SAN.
    peerCertURI: string(),
  },
  {
    unsupported: {
      cipherSuites: `cipherSuites towards servers are ${notYet}`,
      spiffe: `SPIFFE is ${notYet}`,
    },
  },
);

/** `http.serversTransports.<name>`. */
export type ServersTransportConfig = Infer<typeof serversTransportSchema>;
