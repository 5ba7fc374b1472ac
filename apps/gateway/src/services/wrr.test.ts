import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { WeightedRoundRobin } from './wrr.ts';

describe('WeightedRoundRobin', () => {
  it('is plain round robin with equal weights', () => {
    const wrr = new WeightedRoundRobin([
      { item: 'a', weight: 1 },
      { item: 'b', weight: 1 },
      { item: 'c', weight: 1 },
    ]);
    assert.deepEqual(
      Array.from({ length: 6 }, () => wrr.next()),
      ['a', 'b', 'c', 'a', 'b', 'c'],
    );
  });

  it('spreads picks smoothly in proportion to weights and skips weight 0', () => {
    const wrr = new WeightedRoundRobin([
      { item: 'a', weight: 5 },
      { item: 'b', weight: 1 },
      { item: 'c', weight: 1 },
      { item: 'z', weight: 0 },
    ]);
    assert.deepEqual(
      Array.from({ length: 7 }, () => wrr.next()),
      ['a', 'a', 'b', 'a', 'c', 'a', 'a'],
    );
  });

  it('has nothing to pick when empty', () => {
    assert.equal(new WeightedRoundRobin<string>([]).next(), undefined);
  });
});
