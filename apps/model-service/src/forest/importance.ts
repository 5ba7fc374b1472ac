import { LEAF, type Tree } from './tree.ts';

/**
 * IncNodePurity for each feature: the decrease in residual sum of squares from every split on the feature, summed
 * within each tree and averaged over the trees, which is what R's `importance(fit, type = 2)` reports for a
 * regression forest (randomForest divides the per-feature totals by ntree). A split of n rows into n_l and n_r
 * with means m_l and m_r removes n_l·n_r/n · (m_l − m_r)² of squared error, so the trees' stored counts and
 * means are enough to recompute it.
 */
export function incNodePurity(trees: readonly Tree[], featureCount: number): number[] {
  const totals = new Array<number>(featureCount).fill(0);
  for (const tree of trees) {
    for (let k = 0; k < tree.feature.length; k++) {
      const feature = tree.feature[k] as number;
      if (feature === LEAF) continue;
      const l = tree.left[k] as number;
      const r = tree.right[k] as number;
      const nl = tree.count[l] as number;
      const nr = tree.count[r] as number;
      const gap = (tree.value[l] as number) - (tree.value[r] as number);
      totals[feature] = (totals[feature] as number) + ((nl * nr) / (nl + nr)) * gap * gap;
    }
  }
  return totals.map((total) => (trees.length > 0 ? total / trees.length : 0));
}
