/**
 * Quantiles from histogram bucket counts, as Prometheus' `histogram_quantile` computes them: find the bucket
 * holding the rank, then interpolate linearly inside it (the first bucket starts at 0). A rank in the `+Inf`
 * bucket gives the highest finite bound, since nothing is known above it.
 */

/**
 * The `q` quantile (0..1) of observations counted per bucket. `bounds` are the finite upper bounds, ascending;
 * `counts` has one more entry than `bounds`, the `+Inf` bucket, and counts each bucket alone (not cumulative).
 * Undefined when nothing was observed.
 */
export function bucketQuantile(
  q: number,
  bounds: readonly number[],
  counts: readonly number[],
): number | undefined {
  let total = 0;
  for (const count of counts) total += count;
  if (total <= 0 || bounds.length === 0) return undefined;
  const rank = Math.min(Math.max(q, 0), 1) * total;
  let below = 0;
  for (let i = 0; i < counts.length; i++) {
    const inBucket = counts[i] ?? 0;
    if (inBucket > 0 && below + inBucket >= rank) {
      if (i >= bounds.length) return bounds[bounds.length - 1];
      const lower = i === 0 ? 0 : (bounds[i - 1] as number);
      const upper = bounds[i] as number;
      return lower + (upper - lower) * ((rank - below) / inBucket);
    }
    below += inBucket;
  }
  return bounds[bounds.length - 1];
}
