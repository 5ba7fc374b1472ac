import type { FlatForest } from './flatten.ts';

/** Rows walked through a tree together; four independent walks keep the CPU busy while each waits on a load. */
const LANES = 4;

/**
 * Predicts `rows` rows of `x` (row by row, `forest.featureCount` values each) into `out[0 .. rows)`: the mean of
 * the trees' leaf values, as R's `predict.randomForest`.
 *
 * Tree by tree over all rows, so one tree's nodes stay in cache. Rows go through a tree four at a time, each walk
 * branch-free (`flatten.ts`: adjacent children, self-looping leaves) for exactly the tree's depth, so the four walks
 * overlap instead of stalling on mispredicted branches; that is about twice as fast as one walk at a time on
 * Boston-sized forests. The last rows (fewer than four) stop at their leaf instead, which is cheaper for one row.
 * Each row sums its trees in forest order, so the result is bit-identical to a plain tree-by-tree walk.
 * Allocates nothing: `x` and `out` may be buffers the caller reuses.
 */
export function predictRows(forest: FlatForest, x: Float64Array, rows: number, out: Float64Array): void {
  const { feature, threshold, left, value, roots, depth, featureCount: p, treeCount } = forest;
  out.fill(0, 0, rows);
  for (let t = 0; t < treeCount; t++) {
    const root = roots[t] as number;
    const steps = depth[t] as number;
    let r = 0;
    for (; r + LANES <= rows; r += LANES) {
      const o0 = r * p;
      const o1 = o0 + p;
      const o2 = o1 + p;
      const o3 = o2 + p;
      let k0 = root;
      let k1 = root;
      let k2 = root;
      let k3 = root;
      for (let s = 0; s < steps; s++) {
        k0 =
          (left[k0] as number) + +((x[o0 + (feature[k0] as number)] as number) > (threshold[k0] as number));
        k1 =
          (left[k1] as number) + +((x[o1 + (feature[k1] as number)] as number) > (threshold[k1] as number));
        k2 =
          (left[k2] as number) + +((x[o2 + (feature[k2] as number)] as number) > (threshold[k2] as number));
        k3 =
          (left[k3] as number) + +((x[o3 + (feature[k3] as number)] as number) > (threshold[k3] as number));
      }
      out[r] = (out[r] as number) + (value[k0] as number);
      out[r + 1] = (out[r + 1] as number) + (value[k1] as number);
      out[r + 2] = (out[r + 2] as number) + (value[k2] as number);
      out[r + 3] = (out[r + 3] as number) + (value[k3] as number);
    }
    for (; r < rows; r++) {
      const offset = r * p;
      let k = root;
      let next = left[k] as number;
      while (next !== k) {
        k = next + +((x[offset + (feature[k] as number)] as number) > (threshold[k] as number));
        next = left[k] as number;
      }
      out[r] = (out[r] as number) + (value[k] as number);
    }
  }
  for (let r = 0; r < rows; r++) out[r] = (out[r] as number) / treeCount;
}
