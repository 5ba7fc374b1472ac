import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatDuration } from './format.ts';

describe('formatDuration', () => {
  it('is short: µs below a millisecond, ms to three figures, seconds to two decimals', () => {
    assert.equal(formatDuration(0.52), '520µs');
    assert.equal(formatDuration(1.234), '1.23ms');
    assert.equal(formatDuration(12.34), '12.3ms');
    assert.equal(formatDuration(123.4), '123ms');
    assert.equal(formatDuration(1234.5), '1.23s');
    assert.equal(formatDuration(90_000), '90.00s');
    assert.equal(formatDuration(Number.NaN), 'NaN');
  });
});
