import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MemoryStore } from './memory-store.ts';

function clock(start = 1_000_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

describe('MemoryStore', () => {
  it('keeps models apart and forgets entries when they expire', async () => {
    const time = clock();
    const store = new MemoryStore({ now: time.now });
    const codes = store.adapterFor('AuthorizationCode');
    const tokens = store.adapterFor('AccessToken');
    await codes.upsert('a', { jti: 'a' }, 60);
    await tokens.upsert('a', { jti: 'other' });
    assert.deepEqual(await codes.find('a'), { jti: 'a' });
    assert.deepEqual(await tokens.find('a'), { jti: 'other' });
    time.advance(59_999);
    assert.ok(await codes.find('a'));
    time.advance(1);
    assert.equal(await codes.find('a'), undefined);
    assert.ok(await tokens.find('a'), 'no lifetime: kept');
  });

  it('adds the clock tolerance to lifetimes', async () => {
    const time = clock();
    const store = new MemoryStore({ now: time.now, clockToleranceSeconds: 5 });
    const codes = store.adapterFor('AuthorizationCode');
    await codes.upsert('a', {}, 1);
    time.advance(5_999);
    assert.ok(await codes.find('a'));
  });

  it('marks consumption with the time in seconds', async () => {
    const time = clock(42_000);
    const codes = new MemoryStore({ now: time.now }).adapterFor('AuthorizationCode');
    await codes.upsert('a', {}, 60);
    await codes.consume('a');
    assert.equal((await codes.find('a'))?.consumed, 42);
    await codes.consume('missing');
  });

  it('finds sessions by uid and device codes by user code, and unindexes them on destroy', async () => {
    const store = new MemoryStore();
    const sessions = store.adapterFor('Session');
    await sessions.upsert('s1', { uid: 'u1', accountId: 'alice' }, 60);
    assert.equal((await sessions.findByUid('u1'))?.accountId, 'alice');
    await sessions.upsert('s1', { uid: 'u2', accountId: 'alice' }, 60);
    assert.equal(await sessions.findByUid('u1'), undefined);
    assert.equal((await sessions.findByUid('u2'))?.accountId, 'alice');
    await sessions.destroy('s1');
    assert.equal(await sessions.findByUid('u2'), undefined);

    const devices = store.adapterFor('DeviceCode');
    await devices.upsert('d1', { userCode: 'ABCD' }, 60);
    assert.ok(await devices.findByUserCode('ABCD'));
    assert.equal(await devices.findByUserCode('WXYZ'), undefined);
  });

  it('revokes the tokens of a grant, not the grant, interactions or other grants', async () => {
    const store = new MemoryStore();
    const codes = store.adapterFor('AuthorizationCode');
    const refresh = store.adapterFor('RefreshToken');
    const interactions = store.adapterFor('Interaction');
    const grants = store.adapterFor('Grant');
    await codes.upsert('c1', { grantId: 'g1' }, 60);
    await refresh.upsert('r1', { grantId: 'g1' }, 60);
    await refresh.upsert('r2', { grantId: 'g2' }, 60);
    await interactions.upsert('i1', { grantId: 'g1' }, 60);
    await grants.upsert('g1', { jti: 'g1' }, 60);
    await codes.revokeByGrantId('g1');
    assert.equal(await codes.find('c1'), undefined);
    assert.equal(await refresh.find('r1'), undefined);
    assert.ok(await refresh.find('r2'));
    assert.ok(await interactions.find('i1'));
    assert.ok(await grants.find('g1'));
  });

  it('drops expired entries first, then the oldest, past its size limit', async () => {
    const time = clock();
    const store = new MemoryStore({ now: time.now, maxEntries: 3 });
    const tokens = store.adapterFor('AccessToken');
    await tokens.upsert('short', {}, 1);
    await tokens.upsert('a', {}, 60);
    await tokens.upsert('b', {}, 60);
    time.advance(2_000);
    await tokens.upsert('c', {}, 60);
    assert.equal(store.size, 3);
    assert.ok(await tokens.find('a'));
    await tokens.upsert('d', {}, 60);
    assert.equal(store.size, 3);
    assert.equal(await tokens.find('a'), undefined);
    assert.ok(await tokens.find('d'));
  });
});
