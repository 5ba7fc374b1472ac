import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bearerToken } from './bearer.ts';

describe('bearerToken', () => {
  it('extracts the token of a Bearer header, scheme case-insensitive', () => {
    assert.equal(bearerToken('Bearer foobar'), 'foobar');
    assert.equal(bearerToken('bearer foobar'), 'foobar');
    assert.equal(bearerToken('BEARER   foobar  '), 'foobar');
    assert.equal(bearerToken('Bearer\tfoobar'), 'foobar');
  });

  it('returns null for a missing header, another scheme or an empty token', () => {
    assert.equal(bearerToken(undefined), null);
    assert.equal(bearerToken(''), null);
    assert.equal(bearerToken('Bearer'), null);
    assert.equal(bearerToken('Bearer   '), null);
    assert.equal(bearerToken('Basic Zm9vOmJhcg=='), null);
    assert.equal(bearerToken('Bearerfoobar'), null);
    assert.equal(bearerToken(' foobar'), null);
  });
});
