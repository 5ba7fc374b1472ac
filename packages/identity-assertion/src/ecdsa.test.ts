import assert from 'node:assert/strict';
import { generateKeyPairSync, sign, verify } from 'node:crypto';
import { describe, it } from 'node:test';
import { derToP1363, p1363ToDer } from './ecdsa.ts';

const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });

describe('ES256 signature encodings', () => {
  it('turns OpenSSL DER signatures into the r || s form node:crypto checks as IEEE P1363, and back', () => {
    // Enough signatures that some r or s is shorter than 32 bytes (1 in 128 per signature).
    for (let i = 0; i < 400; i += 1) {
      const data = Buffer.from(`message ${i}`);
      const der = sign('sha256', data, privateKey);
      const p1363 = derToP1363(der);
      assert.equal(p1363.length, 64);
      assert.ok(verify('sha256', data, { key: publicKey, dsaEncoding: 'ieee-p1363' }, p1363), `sig ${i}`);
      assert.deepEqual(p1363ToDer(p1363), der, `sig ${i} round trip`);
    }
  });

  it('encodes short and high-bit scalars as minimal DER integers', () => {
    const p1363 = Buffer.alloc(64);
    p1363[31] = 0x01; // r = 1
    p1363.fill(0xff, 32); // s = 2^256 - 1: high bit set, so a 0x00 goes first
    const der = p1363ToDer(p1363);
    assert.deepEqual(
      der,
      Buffer.concat([
        Buffer.from([0x30, 3 + 35, 0x02, 0x01, 0x01, 0x02, 0x21, 0x00]),
        Buffer.alloc(32, 0xff),
      ]),
    );
    assert.deepEqual(derToP1363(der), p1363);
  });

  it('refuses a signature of the wrong length or shape', () => {
    assert.throws(() => p1363ToDer(Buffer.alloc(63)), /64 bytes/);
    assert.throws(() => p1363ToDer(Buffer.alloc(65)), /64 bytes/);
    assert.throws(() => derToP1363(Buffer.from([0x30, 0x00])), /DER/);
    assert.throws(() => derToP1363(Buffer.from([0x31, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01])), /DER/);
    assert.throws(() => derToP1363(Buffer.from([0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x02, 0x01])), /DER/);
  });
});
