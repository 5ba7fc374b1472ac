import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cleanPath } from './clean-path.ts';

describe('cleanPath (entrypoint sanitizePath)', () => {
  it('cleans dot segments and repeated slashes, keeping a trailing slash', () => {
    assert.equal(cleanPath('/./foo/bar'), '/foo/bar');
    assert.equal(cleanPath('/foo/../bar'), '/bar');
    assert.equal(cleanPath('/foo/bar//'), '/foo/bar/');
    assert.equal(cleanPath('/../..'), '/');
    assert.equal(cleanPath('/pybackend/%2e%2e/secret'), '/secret');
  });

  it('leaves clean paths (and their encodings) alone', () => {
    assert.equal(cleanPath('/a%2Fb/c%20d'), '/a%2Fb/c%20d');
    assert.equal(cleanPath('/'), '/');
  });
});
