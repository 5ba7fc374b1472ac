/**
 * MD5-crypt (`$1$`, and Apache's `$apr1$` variant), the hash `htpasswd -m` writes and Traefik's basicAuth accepts
 * for any entry that is not bcrypt or `{SHA}`. Kept here rather than as a dependency: it is 40 lines.
 */

import { createHash } from 'node:crypto';

const itoa64 = './0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

const md5 = (...parts: (string | Buffer)[]): Buffer => {
  const hash = createHash('md5');
  for (const part of parts) hash.update(part);
  return hash.digest();
};

const to64 = (value: number, length: number): string => {
  let out = '';
  let v = value;
  for (let i = 0; i < length; i++) {
    out += itoa64[v & 0x3f];
    v >>>= 6;
  }
  return out;
};

/** Computes the MD5-crypt hash of `password` with the salt and magic (`$1$` or `$apr1$`) of `reference`. */
export function md5Crypt(password: string, reference: string): string | undefined {
  const match = /^(\$1\$|\$apr1\$)([^$]{0,8})/.exec(reference);
  if (!match) return undefined;
  const magic = match[1] ?? '';
  const salt = match[2] ?? '';
  const pw = Buffer.from(password);
  const alternate = md5(pw, salt, pw);
  const context = createHash('md5');
  context.update(pw);
  context.update(magic);
  context.update(salt);
  for (let left = pw.length; left > 0; left -= 16) context.update(alternate.subarray(0, Math.min(left, 16)));
  for (let i = pw.length; i > 0; i >>= 1) context.update(i & 1 ? Buffer.of(0) : pw.subarray(0, 1));
  let final = context.digest();
  for (let i = 0; i < 1000; i++) {
    const round = createHash('md5');
    round.update(i & 1 ? pw : final);
    if (i % 3) round.update(salt);
    if (i % 7) round.update(pw);
    round.update(i & 1 ? final : pw);
    final = round.digest();
  }
  const b = (index: number) => final[index] ?? 0;
  const encoded =
    to64((b(0) << 16) | (b(6) << 8) | b(12), 4) +
    to64((b(1) << 16) | (b(7) << 8) | b(13), 4) +
    to64((b(2) << 16) | (b(8) << 8) | b(14), 4) +
    to64((b(3) << 16) | (b(9) << 8) | b(15), 4) +
    to64((b(4) << 16) | (b(10) << 8) | b(5), 4) +
    to64(b(11), 2);
  return `${magic}${salt}$${encoded}`;
}
