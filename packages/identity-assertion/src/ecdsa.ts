/**
 * ES256 signatures in the two encodings: JWS carries r || s (IEEE P1363, 64 bytes for P-256), OpenSSL makes and
 * checks DER. node:crypto converts when asked (`dsaEncoding: 'ieee-p1363'`), but its options-object form costs about
 * as much again as the signature itself here (66 us against 29 us to sign, 115 us against 70 us to verify), so the
 * signer and the verifier pass the bare key and convert themselves.
 */

/** Bytes of r, and of s, for P-256. */
const SCALAR_BYTES = 32;

/** Length of a P-256 signature as JWS carries it. */
export const ES256_SIGNATURE_BYTES = 2 * SCALAR_BYTES;

/** One DER INTEGER at `at` (tag, short-form length, value), as OpenSSL writes r and s. */
function readInteger(der: Buffer, at: number): { value: Buffer; next: number } {
  const length = der[at + 1];
  if (der[at] !== 0x02 || length === undefined || length === 0 || length > SCALAR_BYTES + 1) {
    throw new TypeError('not an ECDSA P-256 DER signature');
  }
  const next = at + 2 + length;
  if (next > der.length) throw new TypeError('not an ECDSA P-256 DER signature');
  return { value: der.subarray(at + 2, next), next };
}

/** Copies a DER integer's magnitude right-aligned into 32 bytes of `out` at `offset`. */
function putScalar(value: Buffer, out: Buffer, offset: number): void {
  let start = 0;
  while (start < value.length - 1 && value[start] === 0) start += 1;
  const magnitude = value.subarray(start);
  if (magnitude.length > SCALAR_BYTES) throw new TypeError('not an ECDSA P-256 DER signature');
  magnitude.copy(out, offset + SCALAR_BYTES - magnitude.length);
}

/** The r || s form of a DER `ECDSA-Sig-Value` (SEQUENCE of two INTEGERs) made by OpenSSL for P-256. */
export function derToP1363(der: Buffer): Buffer {
  // A P-256 signature is at most 72 bytes, so the SEQUENCE length always fits the short form.
  if (der[0] !== 0x30 || der[1] !== der.length - 2) throw new TypeError('not an ECDSA P-256 DER signature');
  const r = readInteger(der, 2);
  const s = readInteger(der, r.next);
  if (s.next !== der.length) throw new TypeError('not an ECDSA P-256 DER signature');
  const out = Buffer.alloc(ES256_SIGNATURE_BYTES);
  putScalar(r.value, out, 0);
  putScalar(s.value, out, SCALAR_BYTES);
  return out;
}

/** A DER INTEGER of an unsigned big-endian magnitude: leading zeros dropped, one added before a high bit. */
function integer(magnitude: Buffer): Buffer {
  let start = 0;
  while (start < magnitude.length - 1 && magnitude[start] === 0) start += 1;
  const trimmed = magnitude.subarray(start);
  const pad = (trimmed[0] ?? 0) >= 0x80 ? 1 : 0;
  const out = Buffer.alloc(2 + pad + trimmed.length);
  out[0] = 0x02;
  out[1] = pad + trimmed.length;
  trimmed.copy(out, 2 + pad);
  return out;
}

/** The DER form of a 64-byte r || s signature; throws for any other length. */
export function p1363ToDer(signature: Buffer): Buffer {
  if (signature.length !== ES256_SIGNATURE_BYTES) throw new TypeError('an ES256 signature is 64 bytes');
  const r = integer(signature.subarray(0, SCALAR_BYTES));
  const s = integer(signature.subarray(SCALAR_BYTES));
  return Buffer.concat([Buffer.from([0x30, r.length + s.length]), r, s]);
}
