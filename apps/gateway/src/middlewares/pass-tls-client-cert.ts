/**
 * `passTLSClientCert` (Traefik): hands the client certificate of an mTLS connection to the backend, whole in
 * `X-Forwarded-Tls-Client-Cert` (`pem`: base64 DER, comma-separated when the client sent a chain) and/or as
 * selected details in `X-Forwarded-Tls-Client-Cert-Info` (`info`, query-escaped; format in
 * tls-client-cert-info.ts). Without a client certificate neither header is set: copies an untrusted client
 * sent were removed at the entrypoint (forwardedHeaders, as in Traefik), and those of a trusted proxy in front
 * stay. A certificate's headers replace any copy.
 */

import { X509Certificate } from 'node:crypto';
import type { DetailedPeerCertificate, TLSSocket } from 'node:tls';
import type { PassTlsClientCertConfig } from '../config/pass-tls-client-cert-schema.ts';
import { infoHeader, pemHeader } from './tls-client-cert-info.ts';
import type { Middleware } from './types.ts';

const certHeader = 'x-forwarded-tls-client-cert';
const certInfoHeader = 'x-forwarded-tls-client-cert-info';

/** Parsed once per connection: a keep-alive or HTTP/2 connection carries one client certificate. */
const perSocket = new WeakMap<TLSSocket, readonly X509Certificate[]>();

/** Builds a passTLSClientCert middleware. */
export function passTlsClientCert(options: PassTlsClientCertConfig): Middleware {
  const { pem, info } = options;
  return (next) => (exchange) => {
    if (exchange.tls && (pem || info !== undefined)) {
      const certificates = peerCertificates(exchange.req.socket as TLSSocket);
      if (certificates.length > 0) {
        if (pem) exchange.headers[certHeader] = [pemHeader(certificates)];
        if (info !== undefined) exchange.headers[certInfoHeader] = [infoHeader(certificates, info)];
      }
    }
    return next(exchange);
  };
}

/**
 * The certificates the client sent, leaf first (Go's PeerCertificates). Node completes the chain with the
 * CA from the trusted store, which the client did not send: a self-issued certificate past the leaf is left out.
 */
function peerCertificates(socket: TLSSocket): readonly X509Certificate[] {
  const known = perSocket.get(socket);
  if (known !== undefined) return known;
  const found: X509Certificate[] = [];
  if (typeof socket.getPeerCertificate === 'function') {
    let current: DetailedPeerCertificate | undefined = socket.getPeerCertificate(true);
    const seen = new Set<string>();
    while (current?.raw !== undefined && !seen.has(current.fingerprint256)) {
      seen.add(current.fingerprint256);
      const certificate = new X509Certificate(current.raw);
      if (found.length > 0 && certificate.checkIssued(certificate)) break;
      found.push(certificate);
      current = current.issuerCertificate;
    }
  }
  perSocket.set(socket, found);
  return found;
}
