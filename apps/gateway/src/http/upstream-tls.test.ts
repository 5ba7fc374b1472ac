import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { validateServersTransport } from '../config/dynamic-schema.ts';
import { createTestCa, type KeyPair } from '../testing/test-pki.ts';
import { upstreamTls } from './upstream-tls.ts';

describe('upstreamTls', () => {
  let dir: string;
  let ca: KeyPair;
  let client: KeyPair;
  let other: KeyPair;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gateway-upstream-tls-'));
    const authority = await createTestCa('upstream tls test CA');
    ca = authority;
    client = await authority.client('gateway');
    other = await authority.client('someone else');
    await writeFile(join(dir, 'ca.pem'), ca.cert);
    await writeFile(join(dir, 'not-pem.txt'), 'hello');
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('reads CAs from files or inline PEM; the same content gives the same id', () => {
    const fromFile = upstreamTls({ rootCAs: [join(dir, 'ca.pem')] }, 't');
    const inline = upstreamTls({ rootCAs: [ca.cert] }, 't');
    assert.equal(fromFile.id, inline.id);
    assert.notEqual(upstreamTls({ rootCAs: [ca.cert], serverName: 'x.test' }, 't').id, inline.id);
    assert.notEqual(upstreamTls({ insecureSkipVerify: true }, 't').id, upstreamTls({}, 't').id);
    assert.equal(inline.rejectUnauthorized, true);
    assert.equal(upstreamTls({ insecureSkipVerify: true }, 't').rejectUnauthorized, false);
  });

  it('names the field of a file it cannot read, or that holds no PEM', () => {
    assert.throws(
      () => upstreamTls({ rootCAs: [ca.cert, join(dir, 'missing.pem')] }, 'serversTransports.x'),
      /^Error: serversTransports\.x\.rootCAs\[1\]: cannot read ".*missing\.pem" \(ENOENT\)/,
    );
    assert.throws(
      () => upstreamTls({ rootCAs: ['/dev/zero'] }, 't'),
      /t\.rootCAs\[0\]: "\/dev\/zero" is not a regular file/,
    );
    assert.throws(
      () => upstreamTls({ rootCAs: [join(dir, 'not-pem.txt')] }, 't'),
      /t\.rootCAs\[0\]: ".*not-pem\.txt" holds no PEM block/,
    );
    assert.throws(
      () => upstreamTls({ certificates: [{ certFile: client.cert, keyFile: join(dir, 'nope.key') }] }, 't'),
      /t\.certificates\[0\]\.keyFile: cannot read/,
    );
  });

  it('refuses a key that does not match its certificate, and minVersion above maxVersion', () => {
    assert.doesNotThrow(() =>
      upstreamTls({ certificates: [{ certFile: client.cert, keyFile: client.key }] }, 't'),
    );
    assert.throws(
      () => upstreamTls({ certificates: [{ certFile: client.cert, keyFile: other.key }] }, 't'),
      /t\.certificates: .*key values mismatch/,
    );
    assert.throws(
      () => upstreamTls({ minVersion: 'VersionTLS13', maxVersion: 'VersionTLS12' }, 't'),
      /minVersion VersionTLS13 is above maxVersion VersionTLS12/,
    );
  });
});

describe('serversTransport validation', () => {
  const errors = (raw: unknown) => {
    const result = validateServersTransport(raw, 'serversTransports.t');
    return result.ok ? [] : result.errors;
  };

  it("accepts Traefik's fields", () => {
    assert.deepEqual(
      errors({
        serverName: 'a.test',
        insecureSkipVerify: false,
        rootCAs: ['/ca.pem'],
        certificates: [{ certFile: '/c.pem', keyFile: '/k.pem' }],
        minVersion: 'VersionTLS12',
        maxVersion: 'VersionTLS13',
        maxIdleConnsPerHost: -1,
        disableHTTP2: true,
        peerCertSANs: [{ type: 'URI', value: 'spiffe://x/y' }],
        peerCertURI: 'spiffe://x/z',
        forwardingTimeouts: { dialTimeout: '1s', responseHeaderTimeout: '2s', idleConnTimeout: '3s' },
      }),
      [],
    );
  });

  it('refuses the fields it does not implement by name, and bad values', () => {
    for (const field of ['cipherSuites', 'spiffe']) {
      const found = errors({ [field]: [] });
      assert.equal(found.length, 1, field);
      assert.match(found[0] ?? '', new RegExp(`serversTransports\\.t\\.${field}: .*not supported`));
    }
    assert.match(errors({ maxIdleConnsPerHost: -2 }).join(), /maxIdleConnsPerHost/);
    assert.match(errors({ minVersion: 'TLS1.2' }).join(), /minVersion: expected one of VersionTLS10/);
    assert.match(errors({ certificates: [{ certFile: '/c.pem' }] }).join(), /keyFile.*required/);
    assert.match(
      errors({ peerCertSANs: [{ type: 'IP', value: '1.2.3.4' }] }).join(),
      /type: expected one of DNSName, URI/,
    );
  });

  it('warns about the HTTP/2 ping timeouts, which it ignores', () => {
    const result = validateServersTransport(
      { forwardingTimeouts: { pingTimeout: '15s' } },
      'serversTransports.t',
    );
    assert.equal(result.ok, true);
    assert.match(
      result.warnings.join(),
      /pingTimeout: HTTP\/2 ping health checks are not supported, ignored/,
    );
  });
});
