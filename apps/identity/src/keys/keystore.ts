import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from 'jose';
import { Type } from 'typebox';
import { Value } from 'typebox/value';

/** The file, inside the keys directory, that holds the private signing keys as a JWKS. */
export const JWKS_FILE = 'jwks.json';

/** Signing algorithm of every key this provider generates. */
export const SIGNING_ALG = 'RS256';

/** A private RSA signing key as oidc-provider takes it: `kid`, `use` and `alg` set. */
export interface SigningKey extends JWK {
  kty: 'RSA';
  kid: string;
  use: 'sig';
  alg: string;
  d: string;
}

const SigningKeySchema = Type.Object({
  kty: Type.Literal('RSA'),
  kid: Type.String({ minLength: 1 }),
  use: Type.Literal('sig'),
  alg: Type.Literal(SIGNING_ALG),
  n: Type.String({ minLength: 1 }),
  e: Type.String({ minLength: 1 }),
  d: Type.String({ minLength: 1 }),
});
const JwksFileSchema = Type.Object({ keys: Type.Array(SigningKeySchema, { minItems: 1 }) });

/** The keys file is unreadable or malformed. */
export class KeystoreError extends Error {
  readonly code = 'ERR_IDENTITY_KEYS';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'KeystoreError';
  }
}

/**
 * The signing keys, in oidc-provider's order: the first key signs, every key is published in the JWKS.
 * A staged key sits at the end (published, not signing) until it is promoted to the front.
 */
export interface Keyring {
  file: string;
  keys: readonly SigningKey[];
  /** Whether this call generated the first key (a fresh keys directory). */
  created: boolean;
}

/** Generates a new RS256 key whose `kid` is its RFC 7638 thumbprint. */
export async function generateSigningKey(): Promise<SigningKey> {
  const { privateKey } = await generateKeyPair(SIGNING_ALG, { extractable: true, modulusLength: 2048 });
  const jwk = await exportJWK(privateKey);
  const kid = await calculateJwkThumbprint(jwk);
  return { ...jwk, kty: 'RSA', kid, use: 'sig', alg: SIGNING_ALG, d: jwk.d ?? '' };
}

/** Reads the keys of `dir`, or generates and saves a first key when there is no keys file yet. */
export async function loadOrCreateKeys(dir: string): Promise<Keyring> {
  const file = join(dir, JWKS_FILE);
  const existing = await readKeys(file);
  if (existing) return { file, keys: existing, created: false };
  const keys = [await generateSigningKey()];
  await writeKeys(dir, keys);
  return { file, keys, created: true };
}

/** Rotation step 1: adds a new key at the end, published in the JWKS but not signing yet. */
export async function stageKey(dir: string): Promise<{ staged: SigningKey; keys: SigningKey[] }> {
  const { keys } = await loadOrCreateKeys(dir);
  const staged = await generateSigningKey();
  const next = [...keys, staged];
  await writeKeys(dir, next);
  return { staged, keys: next };
}

/**
 * Rotation step 2: the newest staged key (the last) moves to the front and signs from the next start;
 * the previous signing key stays published so tokens it signed still verify.
 */
export async function promoteKey(dir: string): Promise<{ promoted: SigningKey; keys: SigningKey[] }> {
  const keys = await requireKeys(dir);
  const promoted = keys.at(-1);
  if (!promoted || keys.length < 2) {
    throw new KeystoreError('no staged key to promote: run the stage step first');
  }
  const next = [promoted, ...keys.slice(0, -1)];
  await writeKeys(dir, next);
  return { promoted, keys: next };
}

/**
 * Rotation step 3: unpublishes every key but the signing one. Run it only once the tokens the old keys signed have
 * expired (the longest access-token and ID-token lifetime after promotion), or they stop verifying.
 */
export async function retireKeys(dir: string): Promise<{ retired: SigningKey[]; keys: SigningKey[] }> {
  const [signing, ...retired] = await requireKeys(dir);
  if (!signing) throw new KeystoreError('no signing key');
  await writeKeys(dir, [signing]);
  return { retired, keys: [signing] };
}

/** The public half of a key, as a JWKS publishes it. */
export function publicKey(key: SigningKey): JWK {
  const { kty, kid, use, alg, n, e } = key;
  return { kty, kid, use, alg, n, e };
}

/** Reads the keys of `dir`; unlike {@link loadOrCreateKeys}, a missing file is an error. */
export async function requireKeys(dir: string): Promise<SigningKey[]> {
  const file = join(dir, JWKS_FILE);
  const keys = await readKeys(file);
  if (!keys)
    throw new KeystoreError(`${file}: no keys yet (start the identity provider once, or stage a key)`);
  return keys;
}

async function readKeys(file: string): Promise<SigningKey[] | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new KeystoreError(`${file}: cannot read: ${(err as Error).message}`, { cause: err });
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new KeystoreError(`${file}: not valid JSON; fix or delete it (a new key is made on start)`, {
      cause: err,
    });
  }
  if (!Value.Check(JwksFileSchema, data)) {
    const first = Value.Errors(JwksFileSchema, data)[0];
    throw new KeystoreError(
      `${file}: not a JWKS of private ${SIGNING_ALG} signing keys (${first?.instancePath || '/'} ${first?.message ?? ''})`,
    );
  }
  const keys = data.keys as SigningKey[];
  const kids = new Set(keys.map((key) => key.kid));
  if (kids.size !== keys.length) throw new KeystoreError(`${file}: two keys share a kid`);
  return keys;
}

/** Writes the keys atomically (a temporary file renamed over the old one), readable by the owner only. */
async function writeKeys(dir: string, keys: readonly SigningKey[]): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const file = join(dir, JWKS_FILE);
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, `${JSON.stringify({ keys }, null, 2)}\n`, { mode: 0o600 });
  // `mode` applies only when the file is created; a leftover temporary file keeps its own.
  await chmod(temporary, 0o600);
  await rename(temporary, file);
}
