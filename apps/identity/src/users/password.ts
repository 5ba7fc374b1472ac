import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';

const scryptAsync = promisify(scrypt) as (
  password: string,
  salt: Buffer,
  keylen: number,
  options: { N: number; r: number; p: number; maxmem: number },
) => Promise<Buffer>;

/** scrypt cost of new hashes: N = 2^15, r = 8, p = 1 (32 MiB, tens of milliseconds). */
const DEFAULT_COST = { ln: 15, r: 8, p: 1 } as const;
const KEY_LENGTH = 32;
const SALT_LENGTH = 16;

// PHC string format, as passlib writes scrypt: $scrypt$ln=15,r=8,p=1$<salt>$<hash> (unpadded base64).
const PHC = /^\$scrypt\$ln=(\d{1,2}),r=(\d{1,2}),p=(\d{1,2})\$([A-Za-z0-9+/]{16,})\$([A-Za-z0-9+/]{32,})$/;

/** Parsed scrypt parameters of a stored password hash. */
interface ScryptHash {
  ln: number;
  r: number;
  p: number;
  salt: Buffer;
  hash: Buffer;
}

/** Why a stored hash cannot be used, or `undefined` when it is a well-formed scrypt PHC string. */
export function passwordHashProblem(stored: string): string | undefined {
  const parsed = parseHash(stored);
  if (!parsed)
    return 'must be a scrypt PHC string ($scrypt$ln=15,r=8,p=1$salt$hash); make one with `npm run hash-password -w apps/identity`';
  if (parsed.ln < 10 || parsed.ln > 20) return 'scrypt ln must be between 10 and 20';
  if (parsed.r < 1 || parsed.p < 1) return 'scrypt r and p must be at least 1';
  return undefined;
}

function parseHash(stored: string): ScryptHash | undefined {
  const match = PHC.exec(stored);
  if (!match) return undefined;
  const [, ln, r, p, salt, hash] = match as unknown as [string, string, string, string, string, string];
  return {
    ln: Number(ln),
    r: Number(r),
    p: Number(p),
    salt: Buffer.from(salt, 'base64'),
    hash: Buffer.from(hash, 'base64'),
  };
}

async function derive(password: string, params: Omit<ScryptHash, 'hash'>, keylen: number): Promise<Buffer> {
  const N = 2 ** params.ln;
  // Node refuses scrypt above `maxmem` (32 MiB by default, exactly what N = 2^15, r = 8 needs): give headroom.
  return scryptAsync(password.normalize('NFC'), params.salt, keylen, {
    N,
    r: params.r,
    p: params.p,
    maxmem: 256 * N * params.r,
  });
}

/** Hashes a password with scrypt and a random salt, as a PHC string for the identity config file. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(SALT_LENGTH);
  const hash = await derive(password, { ...DEFAULT_COST, salt }, KEY_LENGTH);
  const b64 = (bytes: Buffer) => bytes.toString('base64').replace(/=+$/, '');
  return `$scrypt$ln=${DEFAULT_COST.ln},r=${DEFAULT_COST.r},p=${DEFAULT_COST.p}$${b64(salt)}$${b64(hash)}`;
}

/**
 * Checks a password against a stored PHC hash, comparing in constant time. A malformed hash never matches
 * (the config loader refuses those at start).
 */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parsed = parseHash(stored);
  if (!parsed || passwordHashProblem(stored)) return false;
  const candidate = await derive(password, parsed, parsed.hash.length);
  return timingSafeEqual(candidate, parsed.hash);
}
