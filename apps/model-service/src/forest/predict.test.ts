import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { flattenForest } from './flatten.ts';
import { predictRows } from './predict.ts';
import { Random } from './random.ts';
import { boston } from './testing.ts';
import { trainForest } from './train.ts';
import { predictTree, type Tree } from './tree.ts';

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

  it('lays every node of every tree out once, children as absolute indices', () => {
    const nodes = trees.reduce((sum, tree) => sum + tree.feature.length, 0);
    assert.equal(flat.feature.length, nodes);
    assert.equal(flat.treeCount, 25);
    assert.equal(flat.roots[0], 0);
    assert.equal(flat.roots[1], trees[0]?.feature.length);
    const second = trees[1] as Tree;
    const base = flat.roots[1] as number;
    assert.equal(flat.left[base], base + (second.left[0] as number));
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
    predictRows(flat, x, 3, out);
    assert.deepEqual(Array.from(out.subarray(0, 3)), naive(trees, x, data.p, 3));
  });
});
