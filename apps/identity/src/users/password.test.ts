import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hashPassword, passwordHashProblem, verifyPassword } from './password.ts';

describe('password hashes', () => {
  it('hashes to a scrypt PHC string with a random salt, and verifies', async () => {
    const a = await hashPassword('correct horse');
    const b = await hashPassword('correct horse');
    assert.match(a, /^\$scrypt\$ln=15,r=8,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
    assert.notEqual(a, b);
    assert.equal(passwordHashProblem(a), undefined);
    assert.equal(await verifyPassword('correct horse', a), true);
    assert.equal(await verifyPassword('correct horse', b), true);
    assert.equal(await verifyPassword('correct horsE', a), false);
    assert.equal(await verifyPassword('', a), false);
  });

  it('verifies the demo users of infra/identity/identity.yml', async () => {
    const alice = '$scrypt$ln=15,r=8,p=1$uZl7PQRAKnJn2eLlKUlIqA$h8hVQV0QUi2/HsFyA8FZAatIOuYdDweQfD5013KsHJM';
    assert.equal(await verifyPassword('alice-password', alice), true);
    assert.equal(await verifyPassword('bob-password', alice), false);
  });

  it('treats canonically equivalent Unicode spellings as the same password', async () => {
    const hash = await hashPassword('caf\u00e9');
    assert.equal(await verifyPassword('cafe\u0301', hash), true);
  });

  it('never matches a malformed or out-of-range hash', async () => {
    for (const stored of [
      '',
      'alice-password',
      '$2b$10$abcdefghijklmnopqrstuu',
      '$scrypt$ln=15,r=8,p=1$c2FsdA$aGFzaA',
    ]) {
      assert.ok(passwordHashProblem(stored), stored);
      assert.equal(await verifyPassword('alice-password', stored), false);
    }
    const tooCheap =
      '$scrypt$ln=4,r=8,p=1$uZl7PQRAKnJn2eLlKUlIqA$h8hVQV0QUi2/HsFyA8FZAatIOuYdDweQfD5013KsHJM';
    assert.match(passwordHashProblem(tooCheap) ?? '', /between 10 and 20/);
  });
});
