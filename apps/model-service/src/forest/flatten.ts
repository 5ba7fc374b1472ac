import { LEAF, type Tree } from './tree.ts';

/**
 * A whole forest in typed arrays, nodes of all trees back to back, laid out so a walk needs no branch:
 *
 * - the children of a node are adjacent, so the next node is `left[k] + (x[feature[k]] > threshold[k])`;
 * - a leaf points at itself (`left[k] === k`, `threshold[k] = +Infinity`, `feature[k] = 0`), so a walk that goes on
 *   past a leaf stays there. `predict.ts` relies on this to walk several rows in lock step for `depth[t]` steps.
 */
export interface FlatForest {
  treeCount: number;
  featureCount: number;
  /** Index of each tree's root node. */
  roots: Int32Array;
  /** Each tree's depth: steps from the root to its deepest leaf. */
  depth: Int32Array;
  /** Split feature per node (0 at leaves, where the comparison always fails). */
  feature: Int32Array;
  /** A row goes to the right child when its value is greater than this (+Infinity at leaves). */
  threshold: Float64Array;
  /** The left child (the right child is the next node), or the node itself at leaves. */
  left: Int32Array;
  /** Mean in-bag target of each node: the prediction at leaves. */
  value: Float64Array;
}

/**
 * Lays `trees` (already validated: see `artifact.ts`) out as a {@link FlatForest}. Nodes are renumbered breadth
 * first with each node's two children placed side by side, whatever numbering the artifact used.
 */
export function flattenForest(trees: readonly Tree[], featureCount: number): FlatForest {
  let total = 0;
  for (const tree of trees) total += tree.feature.length;
  const forest: FlatForest = {
    treeCount: trees.length,
    featureCount,
    roots: new Int32Array(trees.length),
    depth: new Int32Array(trees.length),
    feature: new Int32Array(total),
    threshold: new Float64Array(total),
    left: new Int32Array(total),
    value: new Float64Array(total),
  };
  // Breadth-first queue of (node in the artifact's tree, its depth); position in the queue is the node's new index.
  const queue = new Int32Array(total);
  const depthOf = new Int32Array(total);
  let base = 0;
  for (const [t, tree] of trees.entries()) {
    forest.roots[t] = base;
    queue[0] = 0;
    depthOf[0] = 0;
    let tail = 1;
    let deepest = 0;
    for (let head = 0; head < tail; head++) {
      const k = queue[head] as number;
      const at = base + head;
      const feature = tree.feature[k] as number;
      forest.value[at] = tree.value[k] as number;
      if (feature === LEAF) {
        forest.feature[at] = 0;
        forest.threshold[at] = Number.POSITIVE_INFINITY;
        forest.left[at] = at;
        deepest = Math.max(deepest, depthOf[head] as number);
        continue;
      }
      forest.feature[at] = feature;
      forest.threshold[at] = tree.threshold[k] as number;
      forest.left[at] = base + tail;
      queue[tail] = tree.left[k] as number;
      queue[tail + 1] = tree.right[k] as number;
      depthOf[tail] = (depthOf[head] as number) + 1;
      depthOf[tail + 1] = (depthOf[head] as number) + 1;
      tail += 2;
    }
    forest.depth[t] = deepest;
    base += tail;
  }
  return forest;
}
