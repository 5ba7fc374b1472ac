import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MAX_SEED, Random } from './random.ts';

function draws(seed: number, count: number): number[] {
  const random = new Random(seed);
  return Array.from({ length: count }, () => random.nextUint32());
}

describe('Random', () => {
  it('repeats its stream for a seed and differs between seeds', () => {
    assert.deepEqual(draws(7, 100), draws(7, 100));
    assert.notDeepEqual(draws(7, 100), draws(8, 100));
    assert.notDeepEqual(draws(0, 100), draws(MAX_SEED, 100));
  });

  it('draws uniforms in [0, 1) and indices in [0, n) covering the range', () => {
    const random = new Random(1);
    const seen = new Set<number>();
    for (let i = 0; i < 10_000; i++) {
      const u = random.uniform();
      assert.ok(u >= 0 && u < 1);
      const k = random.below(13);
      assert.ok(Number.isInteger(k) && k >= 0 && k < 13);
      seen.add(k);
    }
    assert.equal(seen.size, 13);
  });

  it('has a plausible mean (no gross bias)', () => {
    const random = new Random(42);
    let sum = 0;
    for (let i = 0; i < 100_000; i++) sum += random.uniform();
    assert.ok(Math.abs(sum / 100_000 - 0.5) < 0.01);
  });

  it('refuses seeds that are not 32-bit unsigned integers', () => {
    for (const seed of [-1, 1.5, MAX_SEED + 1, Number.NaN]) assert.throws(() => new Random(seed), RangeError);
  });
});
