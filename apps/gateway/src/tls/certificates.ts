/**
 * The certificates TLS entrypoints serve: those of the dynamic `tls` section, chosen by SNI, and a default one
 * for clients that send no name or an unknown one (`tls.stores.default.defaultCertificate`, else the generated
 * self-signed certificate). A certificate that cannot be loaded is skipped with an error, as Traefik does.
 */

import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createSecureContext } from 'node:tls';
import type { RawResource, TlsSection } from '../config/dynamic-config.ts';
import type { PemCertificate } from './default-certificate.ts';

/** A key and its certificate chain, as PEM; `id` tells pairs apart (secure contexts are cached by it). */
export interface KeyPair {
  readonly id: string;
  readonly key: string;
  readonly cert: string;
}

/** What an HTTPS entrypoint needs: the default certificate and a lookup by server name. */
export interface CertificateStore {
  /** Key and certificate served when SNI names no loaded certificate. */
  readonly defaultCertificate: KeyPair;
  /** The certificate for `servername`, or undefined for the default. */
  match(servername: string): KeyPair | undefined;
  /** Certificates loaded from the configuration (the default one included when configured). */
  readonly loaded: number;
}

/** A loaded certificate and the names it answers for. */
interface Loaded extends KeyPair {
  readonly names: readonly string[];
}

/** `certFile`/`keyFile` hold a path or, as Traefik allows, the PEM text itself. */
function pem(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.trim() === '')
    throw new Error(`${field} must be a path or PEM text`);
  if (value.trimStart().startsWith('-----BEGIN')) return value;
  try {
    return readFileSync(value, 'utf8');
  } catch (error) {
    throw new Error(`${field}: cannot read ${value}: ${(error as NodeJS.ErrnoException).code ?? error}`);
  }
}

function load(resource: RawResource, id: string): Loaded {
  const raw = resource.raw as Record<string, unknown> | null;
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw))
    throw new Error('expected {certFile, keyFile}');
  const cert = pem(raw.certFile, 'certFile');
  const key = pem(raw.keyFile, 'keyFile');
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(cert);
    // Checks that the key goes with the certificate; contexts are made per TLS options when first needed.
    createSecureContext({ key, cert });
  } catch (error) {
    throw new Error(`invalid certificate or key: ${(error as Error).message}`);
  }
  const names = (x509.subjectAltName ?? '')
    .split(', ')
    .filter((entry) => entry.startsWith('DNS:'))
    .map((entry) => entry.slice(4).toLowerCase());
  const commonName = /(?:^|\n)CN=([^\n]+)/.exec(x509.subject)?.[1];
  if (names.length === 0 && commonName) names.push(commonName.toLowerCase());
  return { id, key, cert, names };
}

/** Loads the section's certificates; `errors` says which were skipped and why. */
export function loadCertificates(
  section: TlsSection,
  fallback: PemCertificate,
): { store: CertificateStore; errors: string[] } {
  const errors: string[] = [];
  const exact = new Map<string, KeyPair>();
  const wildcard = new Map<string, KeyPair>();
  let loaded = 0;
  for (const [i, resource] of section.certificates.entries()) {
    try {
      const certificate = load(resource, String(i));
      loaded++;
      for (const name of certificate.names) {
        const table = name.startsWith('*.') ? wildcard : exact;
        const key = name.startsWith('*.') ? name.slice(2) : name;
        if (!table.has(key)) table.set(key, certificate);
      }
    } catch (error) {
      errors.push(`${resource.source}: tls.certificates[${i}] skipped: ${(error as Error).message}`);
    }
  }
  let defaultCertificate: KeyPair = { id: 'generated', key: fallback.key, cert: fallback.cert };
  if (section.defaultCertificate !== undefined) {
    try {
      defaultCertificate = load(section.defaultCertificate, 'default');
      loaded++;
    } catch (error) {
      errors.push(
        `${section.defaultCertificate.source}: tls.stores.default.defaultCertificate skipped, the generated one is served: ${(error as Error).message}`,
      );
    }
  }
  return {
    errors,
    store: {
      defaultCertificate,
      loaded,
      match(servername) {
        const name = servername.toLowerCase();
        const dot = name.indexOf('.');
        return exact.get(name) ?? (dot === -1 ? undefined : wildcard.get(name.slice(dot + 1)));
      },
    },
  };
}
