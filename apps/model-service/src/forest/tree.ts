/** `feature`, `left` and `right` of a leaf. */
export const LEAF = -1;

/**
 * One regression tree as parallel arrays, node 0 the root and nodes in the order they were grown (breadth
 * first, children appended in pairs, as R's randomForest numbers them). This is the artifact's form of a tree;
 * `flatten.ts` turns a forest of them into the typed arrays the service predicts with.
 */
export interface Tree {
  /** Index (into the forest's feature list) of the feature each node splits on; {@link LEAF} at leaves. */
  feature: number[];
  /** A row goes left when its value of `feature` is ≤ the threshold, as in R's `predict`; 0 at leaves. */
  threshold: number[];
  /** Left child of each node; {@link LEAF} at leaves. */
  left: number[];
  /** Right child of each node; {@link LEAF} at leaves. */
  right: number[];
  /** Mean target of the in-bag rows that reached the node: the prediction at a leaf. */
  value: number[];
  /** In-bag rows (bootstrap repeats counted) that reached the node; with `value` it gives each split's RSS decrease. */
  count: number[];
}

/**
 * The tree's prediction for one row, read from `x` at `offset` (`x[offset + feature]`). A plain walk over the
 * artifact's arrays: used for OOB error while training and as the reference the fast path is tested against.
 */
export function predictTree(tree: Tree, x: ArrayLike<number>, offset: number): number {
  let k = 0;
  let f = tree.feature[0] as number;
  while (f !== LEAF) {
    k =
      (x[offset + f] as number) <= (tree.threshold[k] as number)
        ? (tree.left[k] as number)
        : (tree.right[k] as number);
    f = tree.feature[k] as number;
  }
  return tree.value[k] as number;
}
