import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import bcrypt from 'bcryptjs';
import { md5Crypt } from './md5-crypt.ts';
import { verifyPassword } from './passwords.ts';

describe('basicAuth password hashes', () => {
  it('computes MD5-crypt like openssl passwd -1 / -apr1', () => {
    assert.equal(md5Crypt('secret', '$apr1$saltsalt$'), '$apr1$saltsalt$LrttParrLPdxvgutaSXWJ0');
    assert.equal(md5Crypt('hello', '$1$abc$'), '$1$abc$jWy0FsfCoVBK.I85XpXf30');
  });

  it('verifies bcrypt ($2a$, $2b$, $2y$), {SHA} and MD5-crypt; plain text never matches', async () => {
    const hash = bcrypt.hashSync('secret', 4);
    for (const variant of ['$2a$', '$2b$', '$2y$']) {
      assert.equal(await verifyPassword('secret', variant + hash.slice(4)), true);
      assert.equal(await verifyPassword('wrong', variant + hash.slice(4)), false);
    }
    assert.equal(await verifyPassword('secret', '{SHA}5en6G6MezRroT3XKqkdPOmY/BfQ='), true);
    assert.equal(await verifyPassword('secret', '$apr1$saltsalt$LrttParrLPdxvgutaSXWJ0'), true);
    assert.equal(await verifyPassword('secret', '$apr1$saltsalt$LrttParrLPdxvgutaSXWJ1'), false);
    assert.equal(await verifyPassword('secret', 'secret'), false);
  });
});
