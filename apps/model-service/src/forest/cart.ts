import type { Random } from './random.ts';
import { LEAF, type Tree } from './tree.ts';

/** How one regression tree is grown. */
export interface GrowOptions {
  /** Features drawn (without replacement) as split candidates at each node. */
  mtry: number;
  /** A node with this many in-bag rows or fewer is a leaf (R's `nodesize`). */
  nodeSize: number;
}

/** The training matrix a tree is grown from. */
export interface TrainingMatrix {
  /** Feature values row by row: `x[row * p + feature]`. */
  x: Float64Array;
  y: Float64Array;
  p: number;
}

/** The best split found at a node, if any. */
interface Split {
  feature: number;
  threshold: number;
}

/**
 * Grows one unpruned regression tree on the rows listed in `sample` (a bootstrap sample: rows may repeat),
 * following R randomForest's `regTree`: nodes are split breadth first; at each node `mtry` distinct features are
 * drawn; for each, the node's rows are sorted by it and every gap between distinct values is tried, scoring a
 * split by its reduction of the squared error (sum_l²/n_l + sum_r²/n_r − sum²/n); the threshold is the midpoint
 * of the gap. A node with ≤ `nodeSize` rows, or with no split that reduces the error, is a leaf. A constant
 * candidate still uses up one of the `mtry` draws, as in R.
 */
export function growTree(
  data: TrainingMatrix,
  sample: Int32Array,
  options: GrowOptions,
  random: Random,
): Tree {
  const { x, y, p } = data;
  const m = sample.length;
  // Rows of node k occupy rows[start[k] .. start[k] + count[k]); splitting a node partitions its range in place.
  const rows = Int32Array.from(sample);
  const order = new Int32Array(m);
  const spill = new Int32Array(m);
  const candidates = new Int32Array(p);
  const tree: Tree = { feature: [], threshold: [], left: [], right: [], value: [], count: [] };
  const start: number[] = [];

  const addNode = (from: number, count: number): void => {
    let sum = 0;
    for (let i = from; i < from + count; i++) sum += y[rows[i] as number] as number;
    tree.feature.push(LEAF);
    tree.threshold.push(0);
    tree.left.push(LEAF);
    tree.right.push(LEAF);
    tree.value.push(sum / count);
    tree.count.push(count);
    start.push(from);
  };

  const findSplit = (from: number, count: number, sum: number): Split | null => {
    for (let i = 0; i < p; i++) candidates[i] = i;
    const parent = (sum * sum) / count;
    let best: Split | null = null;
    let bestGain = 0;
    let last = p - 1;
    for (let draw = 0; draw < options.mtry; draw++) {
      const j = random.below(last + 1);
      const feature = candidates[j] as number;
      candidates[j] = candidates[last] as number;
      candidates[last] = feature;
      last--;

      const sorted = order.subarray(0, count);
      sorted.set(rows.subarray(from, from + count));
      sorted.sort((a, b) => (x[a * p + feature] as number) - (x[b * p + feature] as number));
      if (
        (x[(sorted[0] as number) * p + feature] as number) >=
        (x[(sorted[count - 1] as number) * p + feature] as number)
      ) {
        continue;
      }
      let sumLeft = 0;
      let gain = 0;
      let threshold = 0;
      for (let i = 0; i < count - 1; i++) {
        const row = sorted[i] as number;
        sumLeft += y[row] as number;
        const here = x[row * p + feature] as number;
        const next = x[(sorted[i + 1] as number) * p + feature] as number;
        if (here < next) {
          const nLeft = i + 1;
          const sumRight = sum - sumLeft;
          const crit = (sumLeft * sumLeft) / nLeft + (sumRight * sumRight) / (count - nLeft) - parent;
          if (crit > gain) {
            gain = crit;
            threshold = (here + next) / 2;
          }
        }
      }
      if (gain > bestGain) {
        bestGain = gain;
        best = { feature, threshold };
      }
    }
    return best;
  };

  addNode(0, m);
  for (let k = 0; k < tree.value.length; k++) {
    const count = tree.count[k] as number;
    if (count <= options.nodeSize) continue;
    const from = start[k] as number;
    const split = findSplit(from, count, (tree.value[k] as number) * count);
    if (split === null) continue;

    // Stable partition: left rows keep their order at the front, right rows follow in theirs.
    let nLeft = 0;
    let nRight = 0;
    for (let i = from; i < from + count; i++) {
      const row = rows[i] as number;
      if ((x[row * p + split.feature] as number) <= split.threshold) rows[from + nLeft++] = row;
      else spill[nRight++] = row;
    }
    rows.set(spill.subarray(0, nRight), from + nLeft);

    tree.feature[k] = split.feature;
    tree.threshold[k] = split.threshold;
    tree.left[k] = tree.value.length;
    addNode(from, nLeft);
    tree.right[k] = tree.value.length;
    addNode(from + nLeft, nRight);
  }
  return tree;
}
