/**
 * Traefik's `peerCertSANs` (and the older `peerCertURI`): the server certificate must carry one of the given
 * Subject Alternative Names: a URI SAN equal to the value (case-insensitively), or a DNS name the certificate is
 * valid for, wildcards included (Go's VerifyHostname; an IP is matched against IP SANs). The chain is verified
 * as always; with `insecureSkipVerify` only the host name check is left out, as in Traefik, where
 * VerifyPeerCertificate verifies the chain itself.
 */

import { X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';
import { checkServerIdentity, type PeerCertificate } from 'node:tls';

/** One SAN the server certificate may carry. */
export interface PeerCertSan {
  readonly type: 'DNSName' | 'URI';
  readonly value: string;
}

/** The identity check for `tls.connect`: the host name (unless skipped), then one of `sans`. */
export function peerCertSanCheck(
  sans: readonly PeerCertSan[],
  checkHost: boolean,
): (host: string, cert: PeerCertificate) => Error | undefined {
  return (host, cert) => {
    if (checkHost) {
      const error = checkServerIdentity(host, cert);
      if (error !== undefined) return error;
    }
    if (cert.raw === undefined) return new Error('no peer certificate');
    const x509 = new X509Certificate(cert.raw);
    const uris = uriSans(x509.subjectAltName);
    for (const san of sans) {
      if (san.type === 'URI' && uris.some((uri) => uri.toLowerCase() === san.value.toLowerCase()))
        return undefined;
      if (san.type === 'DNSName') {
        const matched = isIP(san.value) !== 0 ? x509.checkIP(san.value) : x509.checkHost(san.value);
        if (matched !== undefined) return undefined;
      }
    }
    return new Error('no matching SAN in peer certificate');
  };
}

/** The URI entries of OpenSSL's subjectAltName text (`DNS:a, URI:spiffe://x/y, IP Address:1.2.3.4`). */
function uriSans(text: string | undefined): string[] {
  if (text === undefined) return [];
  return text
    .split(', ')
    .filter((entry) => entry.startsWith('URI:'))
    .map((entry) => entry.slice('URI:'.length));
}
