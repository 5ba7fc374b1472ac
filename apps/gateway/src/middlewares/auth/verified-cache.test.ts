import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cachedVerifier, VerifiedCredentials } from './verified-cache.ts';

/** A verifier that accepts `password === hash` and counts its calls. */
function counting() {
  const calls: string[] = [];
  const verify = async (password: string, hash: string) => {
    calls.push(password);
    return password === hash;
  };
  return { calls, verify };
}

describe('cache of successful basic-auth verifications', () => {
  it('verifies good credentials once, then answers from the cache', async () => {
    const { calls, verify } = counting();
    const check = cachedVerifier(new VerifiedCredentials(10), verify);
    assert.equal(await check('alice', 'pw', 'pw'), true);
    assert.equal(await check('alice', 'pw', 'pw'), true);
    assert.equal(await check('alice', 'pw', 'pw'), true);
    assert.deepEqual(calls, ['pw']);
  });

  it('never caches a failure', async () => {
    const { calls, verify } = counting();
    const cache = new VerifiedCredentials(10);
    const check = cachedVerifier(cache, verify);
    assert.equal(await check('alice', 'wrong', 'pw'), false);
    assert.equal(await check('alice', 'wrong', 'pw'), false);
    assert.deepEqual(calls, ['wrong', 'wrong']);
    assert.equal(cache.size, 0);
  });

  it('keys on the user, the password and the stored hash together', async () => {
    const { calls, verify } = counting();
    const check = cachedVerifier(new VerifiedCredentials(10), verify);
    assert.equal(await check('alice', 'pw', 'pw'), true);
    // The same password for another user, or against a changed hash, is verified again.
    assert.equal(await check('bob', 'pw', 'pw'), true);
    assert.equal(await check('alice', 'pw', 'other'), false);
    // No ambiguity from separators inside the values.
    assert.equal(await check('a', 'b\u0000c', 'b\u0000c'), true);
    assert.equal(await check('a\u0000b', 'c', 'c'), true);
    assert.equal(calls.length, 5);
  });

  it('stays within its bound, dropping the least recently used entry', async () => {
    const { calls, verify } = counting();
    const cache = new VerifiedCredentials(3);
    const check = cachedVerifier(cache, verify);
    for (const user of ['u1', 'u2', 'u3']) await check(user, 'pw', 'pw');
    await check('u1', 'pw', 'pw'); // u1 is now the most recent: u2 goes first
    await check('u4', 'pw', 'pw');
    assert.equal(cache.size, 3);
    assert.equal(calls.length, 4);
    await check('u1', 'pw', 'pw');
    await check('u3', 'pw', 'pw');
    assert.equal(calls.length, 4, 'u1 and u3 were kept');
    await check('u2', 'pw', 'pw');
    assert.equal(calls.length, 5, 'u2 was dropped');
    for (let i = 0; i < 100; i++) await check(`many${i}`, 'pw', 'pw');
    assert.equal(cache.size, 3);
  });

  it('holds no password: keys are keyed hashes, values user names', async () => {
    const cache = new VerifiedCredentials(10);
    await cachedVerifier(cache, async () => true)('alice', 'hunter2', '$2b$10$x');
    const dump = JSON.stringify([...cache.entries()]);
    assert.doesNotMatch(dump, /hunter2/);
    assert.match(dump, /alice/);
    // Another cache (another process) derives other keys from the same credentials.
    const other = new VerifiedCredentials(10);
    await cachedVerifier(other, async () => true)('alice', 'hunter2', '$2b$10$x');
    assert.notDeepEqual([...cache.entries()], [...other.entries()]);
  });
});
