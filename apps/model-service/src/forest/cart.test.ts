import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { growTree, type TrainingMatrix } from './cart.ts';
import { Random } from './random.ts';
import { boston } from './testing.ts';
import { LEAF, predictTree, type Tree } from './tree.ts';

function matrix(rows: number[][], y: number[]): TrainingMatrix {
  return {
    x: Float64Array.from(rows.flat()),
    y: Float64Array.from(y),
    n: rows.length,
    p: rows[0]?.length ?? 0,
  };
}

function everyRow(n: number): Int32Array {
  return Int32Array.from({ length: n }, (_, i) => i);
}

/** Structural invariants every grown tree must satisfy. */
function assertWellFormed(tree: Tree, nodeSize: number): void {
  for (let k = 0; k < tree.feature.length; k++) {
    if (tree.feature[k] === LEAF) {
      assert.equal(tree.left[k], LEAF);
      assert.equal(tree.right[k], LEAF);
      continue;
    }
    const l = tree.left[k] as number;
    const r = tree.right[k] as number;
    assert.ok(l > k && r === l + 1, 'children are appended in pairs after their parent');
    assert.ok((tree.count[k] as number) > nodeSize, 'only nodes larger than nodeSize are split');
    assert.equal((tree.count[l] as number) + (tree.count[r] as number), tree.count[k]);
    const mean =
      ((tree.value[l] as number) * (tree.count[l] as number) +
        (tree.value[r] as number) * (tree.count[r] as number)) /
      (tree.count[k] as number);
    assert.ok(
      Math.abs(mean - (tree.value[k] as number)) < 1e-9,
      'a node mean is the weighted mean of its children',
    );
  }
}

describe('growTree', () => {
  it('splits midway between the distinct values that best reduce squared error', () => {
    // Feature 0 separates y perfectly between 2 and 5; feature 1 is noise.
    const data = matrix(
      [
        [1, 9],
        [2, 1],
        [2, 5],
        [5, 3],
        [6, 7],
        [7, 2],
      ],
      [10, 10, 10, 20, 20, 20],
    );
    const tree = growTree(data, everyRow(6), { mtry: 2, nodeSize: 3 }, new Random(1));
    assert.equal(tree.feature[0], 0);
    assert.equal(tree.threshold[0], 3.5);
    assert.deepEqual(tree.count, [6, 3, 3]);
    assert.deepEqual(tree.value, [15, 10, 20]);
    assert.equal(tree.feature[1], LEAF, 'a node with nodeSize rows is a leaf');
  });

  it('makes a leaf of a node whose target is constant or whose features are', () => {
    const constantY = growTree(
      matrix([[1], [2], [3], [4], [5], [6], [7]], [4, 4, 4, 4, 4, 4, 4]),
      everyRow(7),
      { mtry: 1, nodeSize: 1 },
      new Random(1),
    );
    assert.deepEqual(constantY.feature, [LEAF]);
    const constantX = growTree(
      matrix([[3], [3], [3], [3]], [1, 2, 3, 4]),
      everyRow(4),
      { mtry: 1, nodeSize: 1 },
      new Random(1),
    );
    assert.deepEqual(constantX.feature, [LEAF]);
    assert.equal(constantX.value[0], 2.5);
  });

  it('counts bootstrap repeats as rows', () => {
    const data = matrix([[1], [2]], [0, 10]);
    const tree = growTree(data, Int32Array.from([0, 0, 0, 1]), { mtry: 1, nodeSize: 1 }, new Random(1));
    assert.deepEqual(tree.count, [4, 3, 1]);
    assert.deepEqual(tree.value, [2.5, 0, 10]);
  });

  it('grows fully to node size on Boston and fits its own rows closely', () => {
    const data = boston();
    const tree = growTree(data, everyRow(data.n), { mtry: 13, nodeSize: 5 }, new Random(3));
    assertWellFormed(tree, 5);
    for (let k = 0; k < tree.feature.length; k++) {
      if (tree.feature[k] === LEAF)
        assert.ok((tree.count[k] as number) <= 5 || new Set([tree.value[k]]).size === 1);
    }
    let sse = 0;
    for (let r = 0; r < data.n; r++)
      sse += ((data.y[r] as number) - predictTree(tree, data.x, r * data.p)) ** 2;
    assert.ok(sse / data.n < 3, `training MSE of one deep tree should be small, got ${sse / data.n}`);
  });
});
