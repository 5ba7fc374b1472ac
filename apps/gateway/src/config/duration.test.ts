import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseDuration } from './duration.ts';

describe('parseDuration (Go durations and seconds)', () => {
  it('parses Go duration strings to milliseconds', () => {
    assert.equal(parseDuration('2s'), 2000);
    assert.equal(parseDuration('200ms'), 200);
    assert.equal(parseDuration('1m30s'), 90_000);
    assert.equal(parseDuration('1.5h'), 5_400_000);
    assert.equal(parseDuration('0'), 0);
  });

  it('reads bare numbers as seconds, like Traefik', () => {
    assert.equal(parseDuration(5), 5000);
    assert.equal(parseDuration('10'), 10_000);
  });

  it('rejects anything else', () => {
    assert.equal(parseDuration('5 seconds'), undefined);
    assert.equal(parseDuration('s'), undefined);
    assert.equal(parseDuration(''), undefined);
  });
});
