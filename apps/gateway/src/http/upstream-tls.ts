/**
 * The TLS side of a servers transport: one SecureContext per distinct set of CAs, client certificates and
 * versions, shared by every connection to the servers that use it. As in Traefik (Go's crypto/tls),
 * `rootCAs` replace the trusted store rather than add to it; without them the system store is trusted
 * (plus Node's bundled CAs and NODE_EXTRA_CA_CERTS, so behaviour matches a plain Node client too).
 */

import { createHash, X509Certificate } from 'node:crypto';
import { createSecureContext, getCACertificates, type SecureVersion } from 'node:tls';
import { readFileOrContent } from '../config/file-or-content.ts';
import { type PeerCertSan, peerCertSanCheck } from './peer-cert-sans.ts';
import type { UpstreamTls } from './transport.ts';

/** Traefik's TLS version names and Node's. */
const versions = {
  VersionTLS10: 'TLSv1',
  VersionTLS11: 'TLSv1.1',
  VersionTLS12: 'TLSv1.2',
  VersionTLS13: 'TLSv1.3',
} as const satisfies Record<string, SecureVersion>;

/** The TLS fields of a servers transport (static or dynamic). */
export interface UpstreamTlsOptions {
  readonly serverName?: string | undefined;
  readonly insecureSkipVerify?: boolean | undefined;
  readonly rootCAs?: readonly string[] | undefined;
  readonly certificates?: readonly { readonly certFile: string; readonly keyFile: string }[] | undefined;
  readonly minVersion?: keyof typeof versions | undefined;
  readonly maxVersion?: keyof typeof versions | undefined;
  readonly peerCertSANs?: readonly PeerCertSan[] | undefined;
  readonly peerCertURI?: string | undefined;
}

let trustedByDefault: string[] | undefined;
let plainContext: UpstreamTls['secureContext'] | undefined;

/** The system store and Node's own CAs, read once (reading the system store takes tens of milliseconds). */
function defaultCAs(): string[] {
  trustedByDefault ??= [...new Set([...getCACertificates('default'), ...getCACertificates('system')])];
  return trustedByDefault;
}

/**
 * Reads the files and builds the context. Throws with the field at fault: an unreadable file, a CA or
 * certificate that is not PEM, a key that does not match its certificate, minVersion above maxVersion.
 */
export function upstreamTls(options: UpstreamTlsOptions, path: string): UpstreamTls {
  const digest = createHash('sha256');
  const rootCAs = (options.rootCAs ?? []).map((value, i) => {
    const field = `${path}.rootCAs[${i}]`;
    const pem = readFileOrContent(value, field);
    checkCertificate(pem, field);
    return pem;
  });
  const certificates = (options.certificates ?? []).map((pair, i) => ({
    cert: readFileOrContent(pair.certFile, `${path}.certificates[${i}].certFile`),
    key: readFileOrContent(pair.keyFile, `${path}.certificates[${i}].keyFile`),
  }));
  const minVersion = options.minVersion === undefined ? undefined : versions[options.minVersion];
  const maxVersion = options.maxVersion === undefined ? undefined : versions[options.maxVersion];
  if (minVersion !== undefined && maxVersion !== undefined && minVersion > maxVersion) {
    throw new Error(`${path}: minVersion ${options.minVersion} is above maxVersion ${options.maxVersion}`);
  }
  const plain = rootCAs.length === 0 && certificates.length === 0 && !minVersion && !maxVersion;
  let secureContext: UpstreamTls['secureContext'];
  try {
    // The system store takes about 10 ms to load into a context: the plain case shares one.
    if (plain) plainContext ??= createSecureContext({ ca: defaultCAs() });
    secureContext =
      plainContext !== undefined && plain
        ? plainContext
        : createSecureContext({
            ca: rootCAs.length > 0 ? rootCAs : defaultCAs(),
            // OpenSSL offers the server the first of these its CertificateRequest accepts.
            ...(certificates.length > 0
              ? { cert: certificates.map((pair) => pair.cert), key: certificates.map((pair) => pair.key) }
              : {}),
            ...(minVersion === undefined ? {} : { minVersion }),
            ...(maxVersion === undefined ? {} : { maxVersion }),
          });
  } catch (error) {
    throw new Error(`${path}.certificates: ${(error as Error).message}`);
  }
  digest.update(JSON.stringify([rootCAs, certificates, minVersion, maxVersion]));
  const servername = options.serverName === '' ? undefined : options.serverName;
  const skipVerify = options.insecureSkipVerify === true;
  const sans = [...(options.peerCertSANs ?? [])];
  if (options.peerCertURI) sans.push({ type: 'URI', value: options.peerCertURI });
  digest.update(JSON.stringify([servername, skipVerify, sans]));
  return {
    id: digest.digest('base64url').slice(0, 22),
    secureContext,
    ...(servername === undefined ? {} : { servername }),
    rejectUnauthorized: !skipVerify || sans.length > 0,
    ...(sans.length > 0 ? { checkServerIdentity: peerCertSanCheck(sans, !skipVerify) } : {}),
  };
}

function checkCertificate(pem: string, field: string): void {
  try {
    new X509Certificate(pem);
  } catch (error) {
    throw new Error(`${field}: not a PEM certificate (${(error as Error).message})`);
  }
}
