/**
 * Password hash verification for basicAuth, chosen by prefix as Traefik's go-http-auth does: bcrypt
 * (`$2a$`, `$2b$`, `$2x$`, `$2y$`), `{SHA}` (base64 SHA-1), and MD5-crypt for everything else. A plain-text
 * "hash" never matches.
 */

import { createHash, timingSafeEqual } from 'node:crypto';
import bcrypt from 'bcryptjs';
import { md5Crypt } from './md5-crypt.ts';

const safeEqual = (a: string, b: string): boolean => {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
};

/** True when `password` matches `hash`. */
export async function verifyPassword(password: string, hash: string): Promise<boolean> {
  if (/^\$2[abxy]\$/.test(hash)) {
    // bcryptjs reads `$2y$` and `$2x$` hashes as `$2a$`/`$2b$`; the algorithm is the same.
    return bcrypt.compare(password, hash.replace(/^\$2[xy]\$/, '$2b$'));
  }
  if (hash.startsWith('{SHA}')) {
    return safeEqual(createHash('sha1').update(password).digest('base64'), hash.slice(5));
  }
  const computed = md5Crypt(password, hash);
  return computed !== undefined && safeEqual(computed, hash);
}

/**
 * A bcrypt hash (cost 10) of a random secret nobody kept, verified for unknown users so timing does not reveal
 * who exists.
 */
export const decoyHash = '$2b$10$q08H9Jm.KVn1KxWuMoInquUPiFJVqPuFsJJc9X4NwaPg45Br5jqUq';
