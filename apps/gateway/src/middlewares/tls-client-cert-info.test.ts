/**
 * The header formats of passTLSClientCert, with the cases of Traefik's pass_tls_client_cert_test.go as facts:
 * certificates with the same kinds of names (repeated C, ST, L, O, OU, CN and DC attributes, e-mail addresses in
 * the name, DNS, IP and e-mail SANs) are made here with OpenSSL's command-line tool.
 */

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { PassTlsClientCertConfig } from '../config/pass-tls-client-cert-schema.ts';
import { infoHeader, pemHeader, queryEscape } from './tls-client-cert-info.ts';

const openssl = (() => {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

type Info = NonNullable<PassTlsClientCertConfig['info']>;
const name = { country: true, province: true, locality: true, organization: true, commonName: true };
const allName = { ...name, serialNumber: true, domainComponent: true };
const all: Info = {
  notAfter: true,
  notBefore: true,
  sans: true,
  serialNumber: true,
  subject: { ...allName, organizationalUnit: true },
  issuer: allName,
};
const none = { ...all, notAfter: false, notBefore: false, sans: false, serialNumber: false };
const off = {
  country: false,
  province: false,
  locality: false,
  organization: false,
  commonName: false,
  serialNumber: false,
  domainComponent: false,
};

describe('passTLSClientCert header formats', { skip: !openssl && process.env.CI !== 'true' }, () => {
  let dir: string;
  let minimal: X509Certificate;
  let complete: X509Certificate;
  const signing =
    '/DC=org/DC=cheese/O=Cheese/O=Cheese 2/OU=Simple Signing Section/OU=Simple Signing Section 2' +
    '/CN=Simple Signing CA/CN=Simple Signing CA 2/C=FR/C=US/L=TOULOUSE/L=LYON' +
    '/ST=Signing State/ST=Signing State 2/emailAddress=simple@signing.com';
  const signingInfo =
    'DC=org,DC=cheese,C=FR,C=US,ST=Signing State,ST=Signing State 2,L=TOULOUSE,L=LYON,O=Cheese,O=Cheese 2,' +
    'CN=Simple Signing CA 2';

  const run = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  const leaf = (file: string, subject: string, serial: string, san?: string) => {
    const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
    run(
      'req',
      '-new',
      ...ec,
      '-keyout',
      `${file}.key`,
      '-out',
      `${file}.csr`,
      '-subj',
      subject,
      ...(san ? ['-addext', `subjectAltName=${san}`] : []),
    );
    run(
      'x509',
      '-req',
      '-in',
      `${file}.csr`,
      '-CA',
      'ca.crt',
      '-CAkey',
      'ca.key',
      '-set_serial',
      serial,
      '-days',
      '700',
      '-copy_extensions',
      'copy',
      '-out',
      `${file}.crt`,
    );
    return new X509Certificate(readFileSync(join(dir, `${file}.crt`)));
  };

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'gateway-client-cert-info-'));
    run(
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-keyout',
      'ca.key',
      '-out',
      'ca.crt',
      '-days',
      '3650',
      '-set_serial',
      '2',
      '-subj',
      signing,
    );
    minimal = leaf(
      'minimal',
      '/C=FR/ST=Some-State/O=Cheese',
      '481535886039632329873080491016862977516759989652',
    );
    complete = leaf(
      'complete',
      '/DC=org/DC=cheese/O=Cheese/O=Cheese 2/OU=Simple Signing Section/OU=Simple Signing Section 2' +
        '/CN=*.cheese.org/CN=*.cheese.com/C=FR/C=US/L=TOULOUSE/L=LYON/ST=Cheese org state/ST=Cheese com state' +
        '/emailAddress=cert@cheese.org/serialNumber=A-42',
      '1',
      'DNS:*.cheese.org,DNS:*.cheese.net,IP:10.0.1.0,email:test@cheese.org,DNS:*.cheese.com,IP:::1,' +
        'URI:spiffe://cheese.org/client,email:test@cheese.net',
    );
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const seconds = (date: string) => Math.floor(Date.parse(date) / 1000);
  const decoded = (header: string) => decodeURIComponent(header.replaceAll('+', ' '));

  it('all info of a simple certificate: absent parts left out, the last CN, serial in decimal, dates in Unix seconds', () => {
    assert.equal(
      decoded(infoHeader([minimal], all)),
      [
        'Subject="C=FR,ST=Some-State,O=Cheese"',
        `Issuer="${signingInfo}"`,
        'SerialNumber="481535886039632329873080491016862977516759989652"',
        `NB="${seconds(minimal.validFrom)}"`,
        `NA="${seconds(minimal.validTo)}"`,
      ].join(';'),
    );
  });

  it('some info, and requested parts the certificate lacks (OU, SANs) are left out', () => {
    const some: Info = {
      ...none,
      notAfter: true,
      sans: true,
      subject: { ...off, organization: true, organizationalUnit: true },
      issuer: { ...off, country: true },
    };
    assert.equal(
      decoded(infoHeader([minimal], some)),
      `Subject="O=Cheese";Issuer="C=FR,C=US";NA="${seconds(minimal.validTo)}"`,
    );
  });

  it('a complete certificate: DCs first, every C/ST/L/O/OU, SANs as DNS, e-mail, IP, URI', () => {
    assert.equal(
      decoded(infoHeader([complete], all)),
      [
        'Subject="DC=org,DC=cheese,C=FR,C=US,ST=Cheese org state,ST=Cheese com state,L=TOULOUSE,L=LYON,' +
          'O=Cheese,O=Cheese 2,OU=Simple Signing Section,OU=Simple Signing Section 2,SN=A-42,CN=*.cheese.com"',
        `Issuer="${signingInfo}"`,
        'SerialNumber="1"',
        `NB="${seconds(complete.validFrom)}"`,
        `NA="${seconds(complete.validTo)}"`,
        'SAN="*.cheese.org,*.cheese.net,*.cheese.com,test@cheese.org,test@cheese.net,10.0.1.0,::1,' +
          'spiffe://cheese.org/client"',
      ].join(';'),
    );
  });

  it('two certificates are separated by a comma; no selected part gives an empty value', () => {
    assert.equal(
      decoded(
        infoHeader([minimal, complete], {
          ...none,
          subject: { ...off, organizationalUnit: false, commonName: true },
          issuer: undefined,
        }),
      ),
      ',Subject="CN=*.cheese.com"',
    );
    assert.equal(infoHeader([minimal], { ...none, subject: undefined, issuer: undefined }), '');
  });

  it('the info header is query-escaped as Go does (space as +, quotes, = , ; and * escaped)', () => {
    assert.equal(
      queryEscape(`Subject="O=Cheese 2,CN=*.a";NB="1"`),
      'Subject%3D%22O%3DCheese+2%2CCN%3D%2A.a%22%3BNB%3D%221%22',
    );
    assert.equal(queryEscape("a!b'c(d)e~f-g_h.i"), 'a%21b%27c%28d%29e~f-g_h.i');
  });

  it('pem: the DER in base64 without delimiters or newlines, certificates separated by a comma', () => {
    const body = (pem: string) => pem.replace(/-----[A-Z ]+-----/g, '').replace(/\n/g, '');
    assert.equal(pemHeader([minimal]), body(minimal.toString()));
    assert.equal(pemHeader([minimal, complete]), `${body(minimal.toString())},${body(complete.toString())}`);
  });
});
