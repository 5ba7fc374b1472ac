// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these strings are Compose's ${VAR} syntax, not templates
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InterpolationError, interpolate, interpolateTree } from './interpolate.ts';

describe('interpolate', () => {
  const vars = { SET: 'x', EMPTY: '' };

  it('reads $$ as a literal $, and keeps a lone $', () => {
    assert.equal(interpolate('$$apr1$$abc', vars), '$apr1$abc');
    assert.equal(interpolate('cost: 5$', vars), 'cost: 5$');
  });

  it('substitutes $NAME and ${NAME}; an unset one is empty', () => {
    assert.equal(interpolate('a$SET-${SET}b', vars), 'ax-xb');
    assert.equal(interpolate('[${UNSET}]', vars), '[]');
  });

  it('tells :- (unset or empty) from - (unset only)', () => {
    assert.equal(interpolate('${EMPTY:-d}|${EMPTY-d}|${UNSET-d}|${SET:-d}', vars), 'd||d|x');
    assert.equal(interpolate('${PUBLISH_ADDRESS:-127.0.0.1}:8000:8000', vars), '127.0.0.1:8000:8000');
  });

  it('supports :+ and refuses a missing required variable', () => {
    assert.equal(interpolate('${SET:+yes}${EMPTY:+no}${EMPTY+set}', vars), 'yesset');
    assert.throws(() => interpolate('${UNSET:?give it}', vars), InterpolationError);
    assert.throws(() => interpolate('${EMPTY:?give it}', vars), /EMPTY/);
    assert.throws(() => interpolate('${1BAD}', vars), InterpolationError);
    assert.throws(() => interpolate('${SET', vars), InterpolationError);
  });

  it('interpolates values, never keys', () => {
    assert.deepEqual(interpolateTree({ $SET: ['$SET', { k: '${SET}' }], n: 1 }, vars), {
      $SET: ['x', { k: 'x' }],
      n: 1,
    });
  });
});
