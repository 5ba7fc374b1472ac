/**
 * The certificate TLS entrypoints serve when the configuration gives none: self-signed for localhost,
 * 127.0.0.1 and ::1, generated in memory at each start (Traefik's "TRAEFIK DEFAULT CERT" plays the same role).
 * Clients must be told to trust it (`--verify=no`, `curl -k`): it proves nothing about who answers.
 */

import { X509Certificate } from 'node:crypto';
import { generate } from 'selfsigned';

/** A PEM key and certificate pair. */
export interface PemCertificate {
  readonly key: string;
  readonly cert: string;
  /** SHA-256 fingerprint, for the log line users can compare with what their client shows. */
  readonly fingerprint256: string;
}

/** Generates the default certificate (an ECDSA P-256 key, valid for a year). */
export async function generateDefaultCertificate(): Promise<PemCertificate> {
  const pems = await generate([{ name: 'commonName', value: 'gateway default certificate' }], {
    keyType: 'ec',
    curve: 'P-256',
    notAfterDate: new Date(Date.now() + 365 * 24 * 3600 * 1000),
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 2, value: 'localhost' },
          { type: 7, ip: '127.0.0.1' },
          { type: 7, ip: '::1' },
        ],
      },
    ],
  });
  return {
    key: pems.private,
    cert: pems.cert,
    fingerprint256: new X509Certificate(pems.cert).fingerprint256,
  };
}
