import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { identityFromClaims, identityHeaders, isHeaderSafe } from './identity-headers.ts';

describe('identity headers', () => {
  it('maps claims: client from azp, then client_id, then appid; roles comma-joined', () => {
    assert.deepEqual(
      identityHeaders(identityFromClaims('u', { azp: 'a', client_id: 'b', roles: ['r1', 'r2'] })),
      {
        'x-auth-user': 'u',
        'x-auth-client': 'a',
        'x-auth-roles': 'r1,r2',
      },
    );
    assert.equal(
      identityHeaders(identityFromClaims('u', { client_id: 'b', appid: 'c' }))['x-auth-client'],
      'b',
    );
    assert.equal(identityHeaders(identityFromClaims('u', { appid: 'c' }))['x-auth-client'], 'c');
  });

  it('leaves out values that cannot be header values, and roles that would split the list', () => {
    const headers = identityHeaders(
      identityFromClaims('u', {
        email: 'a@b.example\r\nX-Injected: 1',
        azp: 'Zoë',
        roles: ['ok', 'has,comma', 'line\nbreak', 42, ' padded'],
      }),
    );
    assert.deepEqual(headers, { 'x-auth-user': 'u', 'x-auth-roles': 'ok' });
  });

  it('knows a safe header value', () => {
    assert.ok(isHeaderSafe('alice@example.com'));
    assert.ok(isHeaderSafe('a b'));
    for (const value of ['', ' a', 'a ', 'a\tb', 'é', 'x'.repeat(513), 1, null]) {
      assert.equal(isHeaderSafe(value), false, String(value));
    }
  });
});
