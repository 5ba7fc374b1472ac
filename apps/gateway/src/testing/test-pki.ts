/**
 * A throwaway PKI for TLS tests: a CA, server certificates it signs for given names, and client certificates
 * for mTLS, all ECDSA P-256 and generated in memory for each test run. Not a test file itself.
 */

import { generate } from 'selfsigned';

/** A PEM certificate and its key. */
export interface KeyPair {
  readonly cert: string;
  readonly key: string;
}

/** A CA that signs leaf certificates. */
export interface TestCa extends KeyPair {
  /** A server certificate for these DNS names, IPs and URIs (SPIFFE IDs, say). */
  server(names: {
    dns?: readonly string[];
    ips?: readonly string[];
    uris?: readonly string[];
  }): Promise<KeyPair>;
  /** A client certificate (extKeyUsage clientAuth) with this common name. */
  client(commonName: string): Promise<KeyPair>;
}

const keyOptions = { keyType: 'ec', curve: 'P-256', algorithm: 'sha256' } as const;

/** Creates a CA named `name`. */
export async function createTestCa(name: string): Promise<TestCa> {
  const ca = await generate([{ name: 'commonName', value: name }], {
    ...keyOptions,
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    ],
  });
  const signer = { cert: ca.cert, key: ca.private };
  const leaf = async (commonName: string, extensions: unknown[]): Promise<KeyPair> => {
    const pems = await generate([{ name: 'commonName', value: commonName }], {
      ...keyOptions,
      ca: signer,
      extensions: [{ name: 'basicConstraints', cA: false }, ...extensions] as never,
    });
    return { cert: pems.cert, key: pems.private };
  };
  return {
    ...signer,
    server: ({ dns = [], ips = [], uris = [] }) =>
      leaf(dns[0] ?? ips[0] ?? 'server', [
        { name: 'extKeyUsage', serverAuth: true },
        {
          name: 'subjectAltName',
          altNames: [
            ...dns.map((value) => ({ type: 2, value })),
            ...ips.map((ip) => ({ type: 7, ip })),
            ...uris.map((value) => ({ type: 6, value })),
          ],
        },
      ]),
    client: (commonName) => leaf(commonName, [{ name: 'extKeyUsage', clientAuth: true }]),
  };
}
