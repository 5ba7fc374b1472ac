import assert from 'node:assert/strict';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { temporaryKeysDir } from '../test-support.ts';
import {
  JWKS_FILE,
  KeystoreError,
  loadOrCreateKeys,
  promoteKey,
  publicKey,
  retireKeys,
  stageKey,
} from './keystore.ts';

let dir: string;
let remove: () => Promise<void>;
beforeEach(async () => {
  ({ dir, remove } = await temporaryKeysDir());
});
afterEach(() => remove());

const kids = (keys: readonly { kid: string }[]) => keys.map((key) => key.kid);

describe('keystore', () => {
  it('generates one RS256 key on first use, saved readable by the owner only', async () => {
    const first = await loadOrCreateKeys(join(dir, 'var'));
    assert.equal(first.created, true);
    assert.equal(first.keys.length, 1);
    const [key] = first.keys;
    assert.equal(key?.kty, 'RSA');
    assert.equal(key?.alg, 'RS256');
    assert.equal(key?.use, 'sig');
    assert.match(key?.kid ?? '', /^[\w-]{43}$/);
    assert.equal((await stat(first.file)).mode & 0o777, 0o600);
    assert.equal((await stat(join(dir, 'var'))).mode & 0o777, 0o700);
  });

  it('loads the same key on later starts', async () => {
    const first = await loadOrCreateKeys(dir);
    const again = await loadOrCreateKeys(dir);
    assert.equal(again.created, false);
    assert.deepEqual(again.keys, first.keys);
  });

  it('rotates in three steps: stage (published last), promote (signs first), retire', async () => {
    const { keys: original } = await loadOrCreateKeys(dir);
    const oldKid = original[0]?.kid ?? '';

    const { staged, keys: afterStage } = await stageKey(dir);
    assert.deepEqual(kids(afterStage), [oldKid, staged.kid]);
    assert.deepEqual(kids((await loadOrCreateKeys(dir)).keys), [oldKid, staged.kid]);

    const { promoted, keys: afterPromote } = await promoteKey(dir);
    assert.equal(promoted.kid, staged.kid);
    assert.deepEqual(kids(afterPromote), [staged.kid, oldKid]);

    const { retired, keys: afterRetire } = await retireKeys(dir);
    assert.deepEqual(kids(retired), [oldKid]);
    assert.deepEqual(kids(afterRetire), [staged.kid]);
    assert.equal((await stat(join(dir, JWKS_FILE))).mode & 0o777, 0o600);
  });

  it('refuses to promote when nothing is staged', async () => {
    await loadOrCreateKeys(dir);
    await assert.rejects(
      promoteKey(dir),
      (err: Error) => err instanceof KeystoreError && /stage/.test(err.message),
    );
  });

  it('refuses to promote or retire before any key exists', async () => {
    await assert.rejects(promoteKey(dir), KeystoreError);
    await assert.rejects(retireKeys(dir), KeystoreError);
  });

  it('names the file when it is not JSON or not a JWKS of private keys', async () => {
    const file = join(dir, JWKS_FILE);
    await writeFile(file, '{ not json');
    await assert.rejects(loadOrCreateKeys(dir), (err: Error) =>
      err.message.startsWith(`${file}: not valid JSON`),
    );
    const { keys } = JSON.parse(
      await readFile(join((await loadOrCreateKeys(join(dir, 'x'))).file), 'utf8'),
    ) as {
      keys: Record<string, unknown>[];
    };
    await writeFile(file, JSON.stringify({ keys: keys.map(({ d: _d, ...pub }) => pub) }));
    await assert.rejects(loadOrCreateKeys(dir), (err: Error) =>
      err.message.includes('not a JWKS of private RS256'),
    );
    await writeFile(file, JSON.stringify({ keys: [...keys, ...keys] }));
    await assert.rejects(loadOrCreateKeys(dir), /two keys share a kid/);
  });

  it('publicKey drops every private member', async () => {
    const { keys } = await loadOrCreateKeys(dir);
    const key = keys[0];
    assert.ok(key);
    assert.deepEqual(Object.keys(publicKey(key)).sort(), ['alg', 'e', 'kid', 'kty', 'n', 'use']);
  });
});
