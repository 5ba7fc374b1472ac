import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { challenge } from './answers.ts';
import { claimValues, headerValue, unmetClaim } from './claims.ts';

describe('jwt claims', () => {
  it('reads a claim as a set of values: array items, a string whole and by words, scalars as text', () => {
    assert.deepEqual([...claimValues(['a', 'b', 3, true, { x: 1 }, null])], ['a', 'b', '3', 'true']);
    assert.deepEqual([...claimValues('add read')], ['add read', 'add', 'read']);
    assert.deepEqual([...claimValues(2)], ['2']);
    assert.deepEqual([...claimValues(undefined)], []);
    assert.deepEqual([...claimValues({ roles: ['a'] })], []);
  });

  it('anyOf needs one value, allOf every value; the first unmet claim is named', () => {
    const payload = { roles: ['invokeRole'], scope: 'add read' };
    assert.equal(unmetClaim(payload, { roles: { anyOf: ['adminRole', 'invokeRole'] } }), undefined);
    assert.equal(unmetClaim(payload, { scope: { allOf: ['read', 'add'] } }), undefined);
    assert.equal(unmetClaim(payload, { scope: { allOf: ['read', 'write'] } }), 'scope');
    assert.equal(unmetClaim(payload, { roles: { anyOf: ['invokeRole'] }, tid: { anyOf: ['t1'] } }), 'tid');
    // Only the token's own claims count, never what every object inherits.
    assert.equal(
      unmetClaim({}, { constructor: { anyOf: ['function Object() { [native code] }'] } }),
      'constructor',
    );
  });

  it('turns claims into header values, and refuses what a header cannot carry', () => {
    assert.deepEqual(headerValue('load-client'), { ok: true, value: 'load-client' });
    assert.deepEqual(headerValue(['a', 'b', 1]), { ok: true, value: 'a,b,1' });
    assert.deepEqual(headerValue(1.5), { ok: true, value: '1.5' });
    assert.deepEqual(headerValue(false), { ok: true, value: 'false' });
    assert.deepEqual(headerValue({ tenant: 't1' }), { ok: true, value: '{"tenant":"t1"}' });
    assert.deepEqual(headerValue([{ a: 1 }]), { ok: true, value: '[{"a":1}]' });
    assert.deepEqual(headerValue(undefined), { ok: true, value: undefined });
    assert.deepEqual(headerValue(null), { ok: true, value: undefined });
    for (const bad of ['a\r\nx-admin: 1', 'a\nb', 'a\0b', 'caf\u00e9', ['ok', 'a\rb']]) {
      assert.equal(headerValue(bad).ok, false, JSON.stringify(bad));
    }
  });

  it('writes RFC 6750 challenges; a description never breaks out of its quotes', () => {
    assert.equal(challenge(undefined), 'Bearer');
    assert.equal(challenge('adder'), 'Bearer realm="adder"');
    assert.equal(
      challenge('adder', 'invalid_token', 'the token has expired'),
      'Bearer realm="adder", error="invalid_token", error_description="the token has expired"',
    );
    assert.equal(
      challenge(undefined, 'insufficient_scope', 'the "ro\\les"\r\n claim'),
      'Bearer error="insufficient_scope", error_description="the roles claim"',
    );
  });
});
