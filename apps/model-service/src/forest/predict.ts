import type { FlatForest } from './flatten.ts';

/**
 * Predicts `rows` rows of `x` (row by row, `forest.featureCount` values each) into `out[0 .. rows)`: the mean
 * of the trees' leaf values, as R's `predict.randomForest`. Tree by tree over all rows, so one tree's nodes stay
 * in cache while every row walks it; each row still sums its trees in forest order, so results are bit-identical
 * to a row-by-row walk. Allocates nothing: `x` and `out` may be buffers the caller reuses.
 */
export function predictRows(forest: FlatForest, x: Float64Array, rows: number, out: Float64Array): void {
  const { feature, threshold, left, right, value, roots, featureCount: p, treeCount } = forest;
  out.fill(0, 0, rows);
  for (let t = 0; t < treeCount; t++) {
    const root = roots[t] as number;
    for (let r = 0, offset = 0; r < rows; r++, offset += p) {
      let k = root;
      let f = feature[k] as number;
      while (f >= 0) {
        k =
          (x[offset + f] as number) <= (threshold[k] as number) ? (left[k] as number) : (right[k] as number);
        f = feature[k] as number;
      }
      out[r] = (out[r] as number) + (value[k] as number);
    }
  }
  for (let r = 0; r < rows; r++) out[r] = (out[r] as number) / treeCount;
}
