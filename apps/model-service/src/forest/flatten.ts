import type { Tree } from './tree.ts';

/**
 * A whole forest in six typed arrays, nodes of all trees back to back and children as absolute indices, so
 * prediction is index arithmetic over contiguous memory: no objects, no per-tree offsets, nothing allocated.
 */
export interface FlatForest {
  treeCount: number;
  featureCount: number;
  /** Index of each tree's root node. */
  roots: Int32Array;
  /** Split feature per node, −1 at leaves. */
  feature: Int32Array;
  /** Go left when the row's value is ≤ this. */
  threshold: Float64Array;
  left: Int32Array;
  right: Int32Array;
  /** Prediction at leaves (node mean elsewhere). */
  value: Float64Array;
}

/** Lays `trees` (already validated: see `artifact.ts`) out as a {@link FlatForest}. */
export function flattenForest(trees: readonly Tree[], featureCount: number): FlatForest {
  let total = 0;
  for (const tree of trees) total += tree.feature.length;
  const forest: FlatForest = {
    treeCount: trees.length,
    featureCount,
    roots: new Int32Array(trees.length),
    feature: new Int32Array(total),
    threshold: new Float64Array(total),
    left: new Int32Array(total),
    right: new Int32Array(total),
    value: new Float64Array(total),
  };
  let base = 0;
  for (const [t, tree] of trees.entries()) {
    forest.roots[t] = base;
    forest.feature.set(tree.feature, base);
    forest.threshold.set(tree.threshold, base);
    forest.value.set(tree.value, base);
    for (let k = 0; k < tree.feature.length; k++) {
      const l = tree.left[k] as number;
      const r = tree.right[k] as number;
      // Leaves keep −1; the walk stops on `feature`, never reads their children.
      forest.left[base + k] = l < 0 ? l : base + l;
      forest.right[base + k] = r < 0 ? r : base + r;
    }
    base += tree.feature.length;
  }
  return forest;
}
