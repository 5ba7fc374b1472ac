/**
 * TLS options (Traefik's dynamic `tls.options.<name>`): protocol versions, cipher suites, curves, strict SNI,
 * client certificates and ALPN, turned into what Node's TLS layer takes. Go's names are mapped to OpenSSL's.
 * The option named `default` applies to every TLS router without `tls.options`; when the configuration gives
 * none, Traefik's defaults apply (TLS 1.2 at least; ALPN h2, http/1.1, acme-tls/1).
 */

import { constants } from 'node:crypto';
import {
  createSecureContext,
  DEFAULT_CIPHERS,
  type SecureContextOptions,
  type SecureVersion,
} from 'node:tls';
import type { RawResource } from '../config/dynamic-config.ts';
import { readFileOrContent } from '../config/file-or-content.ts';
import { boolean, Issues, list, object, oneOf, string } from '../config/schema.ts';

/** The name of the options every TLS router uses unless it names others. */
export const defaultOptionsName = 'default';

/** Go's `tls.ClientAuthType` names, as Traefik accepts them. */
export const clientAuthTypes = [
  'NoClientCert',
  'RequestClientCert',
  'RequireAnyClientCert',
  'VerifyClientCertIfGiven',
  'RequireAndVerifyClientCert',
] as const;

/** One of {@link clientAuthTypes}. */
export type ClientAuthType = (typeof clientAuthTypes)[number];

/** Built TLS options, ready for secure contexts and handshake checks. */
export interface TlsOptions {
  /** `default` or a qualified name (`name@file`). */
  readonly name: string;
  /** What goes into every secure context made with these options (besides the key and certificate). */
  readonly context: SecureContextOptions;
  readonly clientAuth: ClientAuthType;
  /** Refuse handshakes whose server name no certificate answers for (no default certificate). */
  readonly sniStrict: boolean;
  /** ALPN protocols, in the server's order of preference. */
  readonly alpnProtocols: readonly string[];
}

const versions: Readonly<Record<string, SecureVersion>> = {
  VersionTLS10: 'TLSv1',
  VersionTLS11: 'TLSv1.1',
  VersionTLS12: 'TLSv1.2',
  VersionTLS13: 'TLSv1.3',
};

/**
 * Go's TLS 1.0-1.2 cipher suite names → OpenSSL's; null: known to Go but absent from OpenSSL 3 (RC4, 3DES).
 * Go does not let TLS 1.3 suites be configured: Traefik accepts their names and they change nothing.
 */
const cipherSuites: Readonly<Record<string, string | null>> = {
  TLS_RSA_WITH_RC4_128_SHA: null,
  TLS_RSA_WITH_3DES_EDE_CBC_SHA: null,
  TLS_RSA_WITH_AES_128_CBC_SHA: 'AES128-SHA',
  TLS_RSA_WITH_AES_256_CBC_SHA: 'AES256-SHA',
  TLS_RSA_WITH_AES_128_CBC_SHA256: 'AES128-SHA256',
  TLS_RSA_WITH_AES_128_GCM_SHA256: 'AES128-GCM-SHA256',
  TLS_RSA_WITH_AES_256_GCM_SHA384: 'AES256-GCM-SHA384',
  TLS_ECDHE_ECDSA_WITH_RC4_128_SHA: null,
  TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA: 'ECDHE-ECDSA-AES128-SHA',
  TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA: 'ECDHE-ECDSA-AES256-SHA',
  TLS_ECDHE_RSA_WITH_RC4_128_SHA: null,
  TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA: null,
  TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA: 'ECDHE-RSA-AES128-SHA',
  TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA: 'ECDHE-RSA-AES256-SHA',
  TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256: 'ECDHE-ECDSA-AES128-SHA256',
  TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256: 'ECDHE-RSA-AES128-SHA256',
  TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256: 'ECDHE-RSA-AES128-GCM-SHA256',
  TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256: 'ECDHE-ECDSA-AES128-GCM-SHA256',
  TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384: 'ECDHE-RSA-AES256-GCM-SHA384',
  TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384: 'ECDHE-ECDSA-AES256-GCM-SHA384',
  TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305: 'ECDHE-RSA-CHACHA20-POLY1305',
  TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256: 'ECDHE-RSA-CHACHA20-POLY1305',
  TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305: 'ECDHE-ECDSA-CHACHA20-POLY1305',
  TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256: 'ECDHE-ECDSA-CHACHA20-POLY1305',
};
const tls13Suites = new Set([
  'TLS_AES_128_GCM_SHA256',
  'TLS_AES_256_GCM_SHA384',
  'TLS_CHACHA20_POLY1305_SHA256',
]);
/** What OpenSSL negotiates for TLS 1.3 when only TLS 1.3 names are listed (every TLS 1.2 suite is then off). */
const tls13Default = 'TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256';

/** Go's curve names (and the RFC 8446 names Traefik also accepts) → OpenSSL group names. */
const curves: Readonly<Record<string, string>> = {
  secp256r1: 'P-256',
  CurveP256: 'P-256',
  secp384r1: 'P-384',
  CurveP384: 'P-384',
  secp521r1: 'P-521',
  CurveP521: 'P-521',
  x25519: 'X25519',
  X25519: 'X25519',
  x25519mlkem768: 'X25519MLKEM768',
  X25519MLKEM768: 'X25519MLKEM768',
  secp256r1mlkem768: 'SecP256r1MLKEM768',
  SecP256r1MLKEM768: 'SecP256r1MLKEM768',
  secp384r1mlkem1024: 'SecP384r1MLKEM1024',
  SecP384r1MLKEM1024: 'SecP384r1MLKEM1024',
};

const versionNames = Object.keys(versions) as (keyof typeof versions & string)[];

const optionsSchema = object(
  {
    minVersion: oneOf(versionNames),
    maxVersion: oneOf(versionNames),
    cipherSuites: list(string({ nonEmpty: true })),
    curvePreferences: list(string({ nonEmpty: true })),
    clientAuth: object({
      caFiles: list(string({ nonEmpty: true })),
      clientAuthType: oneOf(clientAuthTypes),
    }),
    sniStrict: boolean(),
    alpnProtocols: list(string({ nonEmpty: true })),
    disableSessionTickets: boolean(),
    preferServerCipherSuites: boolean(),
  },
  { ignored: {} },
);

/** Traefik's defaults: what `default` is when the configuration does not define it. */
export const traefikDefaultOptions: TlsOptions = {
  name: defaultOptionsName,
  context: { minVersion: 'TLSv1.2' },
  clientAuth: 'NoClientCert',
  sniStrict: false,
  alpnProtocols: ['h2', 'http/1.1', 'acme-tls/1'],
};

/**
 * Builds one option from its raw configuration. Throws with every problem found; `warnings` receives what is
 * accepted but changes nothing.
 */
export function buildTlsOptions(
  name: string,
  raw: unknown,
  warnings: string[],
  path = `tls.options.${name}`,
): TlsOptions {
  const issues = new Issues();
  const parsed = optionsSchema.parse(raw, path, issues);
  if (parsed === undefined || issues.hasErrors) throw new Error(issues.lines('error').join('; '));
  const context: SecureContextOptions & { minVersion: SecureVersion } = {
    minVersion: versions[parsed.minVersion ?? 'VersionTLS12'] ?? 'TLSv1.2',
  };
  if (parsed.maxVersion !== undefined) context.maxVersion = versions[parsed.maxVersion];
  const errors: string[] = [];
  if (parsed.cipherSuites !== undefined) {
    const openssl: string[] = [];
    for (const suite of parsed.cipherSuites) {
      const mapped = cipherSuites[suite];
      if (mapped === undefined && !tls13Suites.has(suite) && suite !== 'TLS_FALLBACK_SCSV')
        errors.push(`${path}.cipherSuites: invalid CipherSuite: ${suite}`);
      else if (mapped === null)
        warnings.push(`${path}.cipherSuites: ${suite} is not available in OpenSSL 3, skipped`);
      else if (mapped !== undefined && !openssl.includes(mapped)) openssl.push(mapped);
    }
    context.ciphers = openssl.length > 0 ? openssl.join(':') : tls13Default;
  }
  if (parsed.curvePreferences !== undefined) {
    const groups: string[] = [];
    for (const curve of parsed.curvePreferences) {
      const mapped = curves[curve];
      if (mapped === undefined) errors.push(`${path}.curvePreferences: invalid CurveID: ${curve}`);
      else if (!groups.includes(mapped)) groups.push(mapped);
    }
    if (groups.length > 0) context.ecdhCurve = groups.join(':');
  }
  // OpenSSL 3's default security level refuses TLS 1.0 and 1.1 whatever the version range; Go accepts them
  // when minVersion asks for them.
  if (context.minVersion === 'TLSv1' || context.minVersion === 'TLSv1.1')
    context.ciphers = `${context.ciphers ?? DEFAULT_CIPHERS}:@SECLEVEL=0`;
  if (parsed.disableSessionTickets === true) context.secureOptions = constants.SSL_OP_NO_TICKET;
  if (parsed.preferServerCipherSuites !== undefined)
    warnings.push(`${path}.preferServerCipherSuites is deprecated and ineffective, remove it`);

  const caFiles = parsed.clientAuth?.caFiles ?? [];
  if (caFiles.length > 0) {
    const ca: string[] = [];
    for (const [index, file] of caFiles.entries()) {
      try {
        ca.push(readFileOrContent(file, `${path}.clientAuth.caFiles[${index}]`));
      } catch (error) {
        errors.push((error as Error).message);
      }
    }
    context.ca = ca;
  }
  // As Traefik: CA files alone mean RequireAndVerifyClientCert; the verifying types need them.
  const clientAuth =
    parsed.clientAuth?.clientAuthType ?? (caFiles.length > 0 ? 'RequireAndVerifyClientCert' : 'NoClientCert');
  if (
    caFiles.length === 0 &&
    (clientAuth === 'VerifyClientCertIfGiven' || clientAuth === 'RequireAndVerifyClientCert')
  )
    errors.push(`${path}.clientAuth: invalid clientAuthType: ${clientAuth}, CAFiles is required`);
  if (errors.length === 0) {
    // Catches what only OpenSSL knows: an unusable CA file, a curve or version range it refuses.
    try {
      createSecureContext(context);
    } catch (error) {
      errors.push(`${path}: ${(error as Error).message}`);
    }
  }
  if (errors.length > 0) throw new Error(errors.join('; '));
  return {
    name,
    context,
    clientAuth,
    sniStrict: parsed.sniStrict ?? false,
    alpnProtocols: parsed.alpnProtocols ?? traefikDefaultOptions.alpnProtocols,
  };
}

/** Every option of a configuration, by name (`default` unqualified, the others `name@provider`). */
export interface TlsOptionsSet {
  readonly options: ReadonlyMap<string, TlsOptions>;
  /** Options that could not be built, with why. */
  readonly errors: ReadonlyMap<string, string>;
  readonly warnings: readonly string[];
}

/** Builds the options of `tls.options`; `default` is Traefik's unless the configuration defines it. */
export function buildTlsOptionsSet(raw: ReadonlyMap<string, RawResource>, provider: string): TlsOptionsSet {
  const options = new Map<string, TlsOptions>();
  const errors = new Map<string, string>();
  const warnings: string[] = [];
  for (const [name, resource] of raw) {
    const qualified = name === defaultOptionsName ? name : `${name}@${provider}`;
    try {
      options.set(qualified, buildTlsOptions(qualified, resource.raw, warnings, `tls.options.${name}`));
    } catch (error) {
      errors.set(qualified, `${resource.source}: ${(error as Error).message}`);
    }
  }
  if (!options.has(defaultOptionsName) && !errors.has(defaultOptionsName))
    options.set(defaultOptionsName, traefikDefaultOptions);
  return { options, errors, warnings };
}
