import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { generate } from 'selfsigned';
import type { TlsSection } from '../config/dynamic-config.ts';
import { loadCertificates } from './certificates.ts';
import { generateDefaultCertificate, type PemCertificate } from './default-certificate.ts';

/** A self-signed certificate for `names` (DNS SANs), as PEM. */
async function certificateFor(...names: string[]) {
  const pems = await generate([{ name: 'commonName', value: names[0] ?? 'x' }], {
    keyType: 'ec',
    curve: 'P-256',
    extensions: [{ name: 'subjectAltName', altNames: names.map((value) => ({ type: 2 as const, value })) }],
  });
  return { cert: pems.cert, key: pems.private };
}

const section = (certificates: unknown[], defaultCertificate?: unknown): TlsSection => ({
  certificates: certificates.map((raw) => ({ raw, source: 'tls.yml' })),
  defaultCertificate:
    defaultCertificate === undefined ? undefined : { raw: defaultCertificate, source: 'tls.yml' },
  options: new Map(),
});

describe('loadCertificates', () => {
  let dir: string;
  let fallback: PemCertificate;
  let api: { cert: string; key: string };
  let wildcard: { cert: string; key: string };

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gateway-tls-'));
    fallback = await generateDefaultCertificate();
    api = await certificateFor('api.example.test');
    wildcard = await certificateFor('*.apps.example.test');
    await writeFile(join(dir, 'api.crt'), api.cert);
    await writeFile(join(dir, 'api.key'), api.key);
  });

  after(() => rm(dir, { recursive: true, force: true }));

  it('picks a certificate by exact name or one-label wildcard, from files or inline PEM', () => {
    const { store, errors } = loadCertificates(
      section([
        { certFile: join(dir, 'api.crt'), keyFile: join(dir, 'api.key') },
        { certFile: wildcard.cert, keyFile: wildcard.key },
      ]),
      fallback,
    );
    assert.deepEqual(errors, []);
    assert.equal(store.loaded, 2);
    assert.ok(store.match('API.example.test'));
    assert.ok(store.match('web.apps.example.test'));
    assert.equal(store.match('a.web.apps.example.test'), undefined);
    assert.equal(store.match('other.test'), undefined);
    assert.equal(store.defaultCertificate.cert, fallback.cert);
  });

  it('serves a configured default certificate instead of the generated one', () => {
    const { store } = loadCertificates(section([], { certFile: api.cert, keyFile: api.key }), fallback);
    assert.equal(store.defaultCertificate.cert, api.cert);
  });

  it('skips, with a reason, certificates that cannot be loaded', () => {
    const { store, errors } = loadCertificates(
      section(
        [
          { certFile: join(dir, 'missing.crt'), keyFile: join(dir, 'api.key') },
          { certFile: api.cert, keyFile: wildcard.key },
          'not a map',
        ],
        { certFile: '', keyFile: api.key },
      ),
      fallback,
    );
    assert.equal(store.loaded, 0);
    assert.equal(errors.length, 4);
    assert.match(
      errors[0] ?? '',
      /tls\.certificates\[0\] skipped: certFile: cannot read .*missing\.crt: ENOENT/,
    );
    assert.match(errors[1] ?? '', /tls\.certificates\[1\] skipped: invalid certificate or key/);
    assert.match(errors[2] ?? '', /expected \{certFile, keyFile\}/);
    assert.match(errors[3] ?? '', /defaultCertificate skipped, the generated one is served/);
    assert.equal(store.defaultCertificate.cert, fallback.cert);
  });
});
