import assert from 'node:assert/strict';
import { it } from 'node:test';
import { batches } from './batches.ts';

const t = (url: string, token = 'a') => ({ url, headers: { authorization: token } });

it('measures a shared contender once in a group, and scenarios without a group alone', () => {
  const result = batches([
    { id: 1, gateway: t('gw/fa'), peer: t('nginx/fa'), together: 'fa' },
    { id: 2, gateway: t('gw/fa'), peer: t('defaults/fa'), together: 'fa' },
    { id: 3, gateway: t('gw/plain'), peer: t('nginx/plain') },
    { id: 4, gateway: t('gw/plain'), peer: t('nginx/plain') },
    { id: 5, gateway: t('gw/py'), peer: t('seed/py'), together: 'seed' },
    { id: 6, gateway: t('local/py'), peer: t('seed/py'), together: 'seed' },
    { id: 7, gateway: t('gw/py', 'b'), peer: t('seed/py'), together: 'seed' },
  ]);
  assert.deepEqual(
    result.map((b) => b.scenarios.map((s) => s.id)),
    [[1, 2], [3], [4], [5, 6, 7]],
  );
  assert.deepEqual(
    result[0]?.targets.map((target) => target.url),
    ['gw/fa', 'nginx/fa', 'defaults/fa'],
  );
  assert.deepEqual(result[0]?.sides, [
    [0, 1],
    [0, 2],
  ]);
  // Other headers make another target: the gateway path with token b is loaded on its own.
  assert.deepEqual(result[3]?.targets.length, 4);
  assert.deepEqual(result[3]?.sides, [
    [0, 1],
    [2, 1],
    [3, 1],
  ]);
});
