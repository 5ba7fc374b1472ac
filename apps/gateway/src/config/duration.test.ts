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

  it('follows Go’s grammar for the forms Traefik users copy from Go tools', () => {
    assert.equal(parseDuration('.5s'), 500);
    assert.equal(parseDuration('1.s'), 1000);
    assert.equal(parseDuration('2h45m'), 9_900_000);
    assert.equal(parseDuration('-1.5h'), -5_400_000);
    assert.equal(parseDuration('250µs'), 0.25);
    assert.equal(parseDuration('10.5s4m'), 250_500);
    assert.equal(parseDuration(' 2s '), 2000);
  });

  it('reads bare numbers as seconds, like Traefik', () => {
    assert.equal(parseDuration(5), 5000);
    assert.equal(parseDuration('10'), 10_000);
    assert.equal(parseDuration('-3'), -3000);
    assert.equal(parseDuration(1.5), 1500);
  });

  it('rejects anything else', () => {
    for (const value of ['5 seconds', 's', '', '.', '1d', '1h2', '3000000h', '1e3', Number.NaN, Infinity]) {
      assert.equal(parseDuration(value), undefined, String(value));
    }
  });
});
