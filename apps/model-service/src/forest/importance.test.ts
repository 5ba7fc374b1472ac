import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { growTree } from './cart.ts';
import { incNodePurity } from './importance.ts';
import { Random } from './random.ts';
import { boston } from './testing.ts';
import { trainForest } from './train.ts';
import { LEAF, type Tree } from './tree.ts';

describe('incNodePurity', () => {
  it('sums each split’s RSS decrease per feature and averages over trees', () => {
    // Root on feature 1: y = [1, 1, 3, 3] → children of means 1 and 3 → RSS 4 → 0. Feature 0 never splits.
    const split: Tree = {
      feature: [1, LEAF, LEAF],
      threshold: [0.5, 0, 0],
      left: [1, LEAF, LEAF],
      right: [2, LEAF, LEAF],
      value: [2, 1, 3],
      count: [4, 2, 2],
    };
    const stump: Tree = {
      feature: [LEAF],
      threshold: [0],
      left: [LEAF],
      right: [LEAF],
      value: [2],
      count: [4],
    };
    assert.deepEqual(incNodePurity([split], 2), [0, 4]);
    assert.deepEqual(incNodePurity([split, stump], 2), [0, 2]);
    assert.deepEqual(incNodePurity([], 2), [0, 0]);
  });

  it('equals the RSS decrease of every split recomputed from the rows that reach it', () => {
    const data = boston();
    const tree = growTree(
      data,
      Int32Array.from({ length: data.n }, (_, i) => i),
      { mtry: 4, nodeSize: 5 },
      new Random(5),
    );
    // Each row, walked down the tree, visits exactly the nodes it was grown in.
    const members: number[][] = tree.feature.map(() => []);
    for (let r = 0; r < data.n; r++) {
      let k = 0;
      members[0]?.push(r);
      while (tree.feature[k] !== LEAF) {
        const f = tree.feature[k] as number;
        k =
          (data.x[r * data.p + f] as number) <= (tree.threshold[k] as number)
            ? (tree.left[k] as number)
            : (tree.right[k] as number);
        members[k]?.push(r);
      }
    }
    const rss = (rows: number[]): number => {
      const mean = rows.reduce((s, r) => s + (data.y[r] as number), 0) / rows.length;
      return rows.reduce((s, r) => s + ((data.y[r] as number) - mean) ** 2, 0);
    };
    const expected = new Array<number>(data.p).fill(0);
    for (let k = 0; k < tree.feature.length; k++) {
      const f = tree.feature[k] as number;
      if (f === LEAF) continue;
      const decrease =
        rss(members[k] ?? []) -
        rss(members[tree.left[k] as number] ?? []) -
        rss(members[tree.right[k] as number] ?? []);
      expected[f] = (expected[f] as number) + decrease;
    }
    const purity = incNodePurity([tree], data.p);
    for (let f = 0; f < data.p; f++) {
      assert.ok(
        Math.abs((purity[f] as number) - (expected[f] as number)) < 1e-6,
        `${data.features[f]}: ${purity[f]} vs ${expected[f]}`,
      );
    }
  });

  it('ranks rm and lstat first on Boston, as R does', () => {
    const data = boston();
    const purity = incNodePurity(trainForest(data, { ntree: 20, seed: 3 }).trees, data.p);
    const ranked = data.features
      .map((name, i) => ({ name, value: purity[i] as number }))
      .sort((a, b) => b.value - a.value);
    assert.deepEqual(new Set(ranked.slice(0, 2).map((r) => r.name)), new Set(['rm', 'lstat']));
  });
});
