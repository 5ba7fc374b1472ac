import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { flattenForest } from './flatten.ts';
import { predictRows } from './predict.ts';
import { Random } from './random.ts';
import { boston } from './testing.ts';
import { trainForest } from './train.ts';
import { LEAF, predictTree, type Tree } from './tree.ts';

function naive(trees: readonly Tree[], x: Float64Array, p: number, rows: number): number[] {
  return Array.from({ length: rows }, (_, r) => {
    let sum = 0;
    for (const tree of trees) sum += predictTree(tree, x, r * p);
    return sum / trees.length;
  });
}

describe('flattenForest + predictRows', () => {
  const data = boston();
  const { trees } = trainForest(data, { ntree: 25, seed: 9 });
  const flat = flattenForest(trees, data.p);

  it('lays every node of every tree out once, children side by side and leaves pointing at themselves', () => {
    const nodes = trees.reduce((sum, tree) => sum + tree.feature.length, 0);
    assert.equal(flat.feature.length, nodes);
    assert.equal(flat.treeCount, 25);
    assert.equal(flat.roots[0], 0);
    assert.equal(flat.roots[1], trees[0]?.feature.length);
    for (let k = 0; k < nodes; k++) {
      const leaf = flat.left[k] === k;
      assert.equal(leaf, flat.threshold[k] === Number.POSITIVE_INFINITY);
      if (!leaf) assert.ok((flat.left[k] as number) > k && (flat.left[k] as number) + 1 < nodes);
    }
  });

  it('renumbers trees whose children are not side by side', () => {
    // Root splits on feature 0 at 0.5 into node 2 (left, leaf 1) and node 1 (right, leaf 9).
    const shuffled: Tree = {
      feature: [0, LEAF, LEAF],
      threshold: [0.5, 0, 0],
      left: [2, LEAF, LEAF],
      right: [1, LEAF, LEAF],
      value: [5, 9, 1],
      count: [2, 1, 1],
    };
    const small = flattenForest([shuffled], 1);
    assert.deepEqual(Array.from(small.value), [5, 1, 9]);
    assert.deepEqual(Array.from(small.depth), [1]);
    const out = new Float64Array(2);
    predictRows(small, Float64Array.from([0, 1]), 2, out);
    assert.deepEqual(Array.from(out), [1, 9]);
  });

  it('records each tree’s depth', () => {
    for (const [t, tree] of trees.entries()) {
      const depthOf = new Array<number>(tree.feature.length).fill(0);
      let deepest = 0;
      for (let k = 0; k < tree.feature.length; k++) {
        if (tree.feature[k] === LEAF) deepest = Math.max(deepest, depthOf[k] as number);
        else {
          depthOf[tree.left[k] as number] = (depthOf[k] as number) + 1;
          depthOf[tree.right[k] as number] = (depthOf[k] as number) + 1;
        }
      }
      assert.equal(flat.depth[t], deepest);
    }
  });

  it('gives exactly the naive tree walk on the training rows', () => {
    const out = new Float64Array(data.n);
    predictRows(flat, data.x, data.n, out);
    assert.deepEqual(Array.from(out), naive(trees, data.x, data.p, data.n));
  });

  it('gives exactly the naive tree walk on unseen rows, and reuses its buffers', () => {
    const random = new Random(2);
    const rows = 200;
    const x = new Float64Array(rows * data.p);
    for (let i = 0; i < x.length; i++) {
      const source = data.x[random.below(data.n) * data.p + (i % data.p)] as number;
      x[i] = source * (0.8 + 0.4 * random.uniform());
    }
    const out = new Float64Array(rows + 5).fill(-1);
    predictRows(flat, x, rows, out);
    assert.deepEqual(Array.from(out.subarray(0, rows)), naive(trees, x, data.p, rows));
    assert.equal(out[rows], -1, 'nothing is written past the rows asked for');
    for (const rows of [1, 3, 4, 5, 7]) {
      predictRows(flat, x, rows, out);
      assert.deepEqual(Array.from(out.subarray(0, rows)), naive(trees, x, data.p, rows));
    }
  });
});
