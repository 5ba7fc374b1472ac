/**
 * The two headers of `passTLSClientCert`, written from client certificates as Traefik writes them from Go's
 * x509 view of a certificate: a name's CommonName and SerialNumber are its last ones, its countries,
 * provinces, localities, organizations and units all of them in order; DCs come first; SANs are DNS names,
 * then e-mail addresses, then IPs, then URIs; dates are Unix seconds; serial numbers decimal.
 */

import type { X509Certificate } from 'node:crypto';
import type { PassTlsClientCertConfig } from '../config/pass-tls-client-cert-schema.ts';

type Info = NonNullable<PassTlsClientCertConfig['info']>;
type NameOptions = Readonly<Partial<Record<string, boolean>>>;

/** `X-Forwarded-Tls-Client-Cert`: each certificate's DER in base64 (PEM without delimiters or newlines). */
export function pemHeader(certificates: readonly X509Certificate[]): string {
  return certificates.map((certificate) => certificate.raw.toString('base64')).join(',');
}

/** `X-Forwarded-Tls-Client-Cert-Info`: the selected details of each certificate, query-escaped as Go does. */
export function infoHeader(certificates: readonly X509Certificate[], info: Info): string {
  return queryEscape(certificates.map((certificate) => certificateInfo(certificate, info)).join(','));
}

function certificateInfo(certificate: X509Certificate, info: Info): string {
  const values: string[] = [];
  const legacy = certificate.toLegacyObject();
  const subject = distinguishedName(legacy.subject as unknown as NameParts, info.subject);
  if (subject !== '') values.push(`Subject="${subject}"`);
  const issuer = distinguishedName(legacy.issuer as unknown as NameParts, info.issuer);
  if (issuer !== '') values.push(`Issuer="${issuer}"`);
  if (info.serialNumber) values.push(`SerialNumber="${BigInt(`0x${certificate.serialNumber}`).toString()}"`);
  if (info.notBefore) values.push(`NB="${unixSeconds(certificate.validFrom)}"`);
  if (info.notAfter) values.push(`NA="${unixSeconds(certificate.validTo)}"`);
  if (info.sans) {
    const sans = subjectAltNames(certificate.subjectAltName);
    if (sans.length > 0) values.push(`SAN="${sans.join(',')}"`);
  }
  return values.join(';');
}

/** OpenSSL's short names to values (an array when an attribute repeats), as Node's legacy object has them. */
type NameParts = Readonly<Record<string, string | readonly string[] | undefined>>;

/** Traefik's order; `last` marks the attributes Go keeps one of (the last one seen). */
const attributes = [
  ['domainComponent', 'DC', 'DC', false],
  ['country', 'C', 'C', false],
  ['province', 'ST', 'ST', false],
  ['locality', 'L', 'L', false],
  ['organization', 'O', 'O', false],
  ['organizationalUnit', 'OU', 'OU', false],
  ['serialNumber', 'serialNumber', 'SN', true],
  ['commonName', 'CN', 'CN', true],
] as const;

function distinguishedName(name: NameParts, options: NameOptions | undefined): string {
  if (options === undefined) return '';
  const parts: string[] = [];
  for (const [option, key, label, last] of attributes) {
    if (!options[option]) continue;
    const raw = name[key];
    const all = raw === undefined ? [] : typeof raw === 'string' ? [raw] : [...raw];
    for (const value of last ? all.slice(-1) : all) if (value !== '') parts.push(`${label}=${value}`);
  }
  return parts.join(',');
}

/** Node's `subjectAltName` ("DNS:a, IP Address:10.0.0.1, ..."; values with separators JSON-quoted). */
function subjectAltNames(text: string | undefined): string[] {
  const byType: Record<string, string[]> = { DNS: [], email: [], 'IP Address': [], URI: [] };
  for (const match of (text ?? '').matchAll(/([A-Za-z ]+):("(?:[^"\\]|\\.)*"|[^,]*)(?:, |$)/g)) {
    const type = match[1] as string;
    const rawValue = match[2] as string;
    const value = rawValue.startsWith('"') ? (JSON.parse(rawValue) as string) : rawValue;
    byType[type]?.push(type === 'IP Address' ? canonicalIp(value) : value);
  }
  return Object.values(byType).flat();
}

/** Go prints IPv6 addresses compressed (`::1`); OpenSSL prints every group. */
function canonicalIp(ip: string): string {
  if (!ip.includes(':')) return ip;
  try {
    return new URL(`http://[${ip}]/`).hostname.slice(1, -1);
  } catch {
    return ip;
  }
}

const unixSeconds = (date: string): number => Math.floor(Date.parse(date) / 1000);

/** Go's url.QueryEscape: only letters, digits and `-_.~` stay; a space becomes `+`. */
export function queryEscape(text: string): string {
  return encodeURIComponent(text)
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+');
}
