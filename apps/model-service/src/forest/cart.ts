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
  /** Rows. */
  n: number;
  /** Features per row. */
  p: number;
}

/**
 * Every feature's column sorted once per forest, so a node sorts small integers natively instead of calling a
 * comparator per comparison: the node's rows become their ranks, `Int32Array#sort` orders them, and the sorted
 * value and target of each rank are read back directly. (Bootstrap repeats of a row share its rank, as they
 * share its values.) All arrays are feature-major: `[feature * n + i]`.
 */
export interface Presorted {
  /** Rank of each row in the feature's stable ascending order. */
  rank: Int32Array;
  /** Feature value at each rank. */
  valueAt: Float64Array;
  /** Target value of the row at each rank. */
  targetAt: Float64Array;
}

/** Sorts each feature's column of `data` once (see {@link Presorted}). */
export function presort(data: TrainingMatrix): Presorted {
  const { x, y, n, p } = data;
  const rank = new Int32Array(n * p);
  const valueAt = new Float64Array(n * p);
  const targetAt = new Float64Array(n * p);
  const order = Array.from({ length: n }, (_, i) => i);
  for (let f = 0; f < p; f++) {
    order.sort((a, b) => (x[a * p + f] as number) - (x[b * p + f] as number) || a - b);
    for (let i = 0; i < n; i++) {
      const row = order[i] as number;
      rank[f * n + row] = i;
      valueAt[f * n + i] = x[row * p + f] as number;
      targetAt[f * n + i] = y[row] as number;
    }
  }
  return { rank, valueAt, targetAt };
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
 *
 * Pass `presorted` when growing many trees on the same data (a forest) to sort the columns only once.
 */
export function growTree(
  data: TrainingMatrix,
  sample: Int32Array,
  options: GrowOptions,
  random: Random,
  presorted: Presorted = presort(data),
): Tree {
  const { x, y, n, p } = data;
  const { rank, valueAt, targetAt } = presorted;
  const m = sample.length;
  // Rows of node k occupy rows[start[k] .. start[k] + count[k]); splitting a node partitions its range in place.
  const rows = Int32Array.from(sample);
  const ranks = new Int32Array(m);
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

      const base = feature * n;
      const sorted = ranks.subarray(0, count);
      for (let i = 0; i < count; i++) sorted[i] = rank[base + (rows[from + i] as number)] as number;
      sorted.sort();
      if (
        (valueAt[base + (sorted[0] as number)] as number) >=
        (valueAt[base + (sorted[count - 1] as number)] as number)
      ) {
        continue;
      }
      let sumLeft = 0;
      let gain = 0;
      let threshold = 0;
      let here = valueAt[base + (sorted[0] as number)] as number;
      for (let i = 0; i < count - 1; i++) {
        sumLeft += targetAt[base + (sorted[i] as number)] as number;
        const next = valueAt[base + (sorted[i + 1] as number)] as number;
        if (here < next) {
          const nLeft = i + 1;
          const sumRight = sum - sumLeft;
          const crit = (sumLeft * sumLeft) / nLeft + (sumRight * sumRight) / (count - nLeft) - parent;
          if (crit > gain) {
            gain = crit;
            threshold = (here + next) / 2;
          }
        }
        here = next;
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
