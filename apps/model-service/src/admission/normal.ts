/** The standard normal distribution's tail, for the p-values of R's `summary(glm)` (`2 * pnorm(-|z|)`). */

/**
 * `P(Z > x)` for a standard normal Z, to about 1e-15 relative: a power series of erf near 0 and a continued
 * fraction of erfc in the tail, where the series would lose every digit to cancellation.
 */
export function normalUpperTail(x: number): number {
  if (Number.isNaN(x)) return Number.NaN;
  if (x < 0) return 1 - normalUpperTail(-x);
  // The continued fraction evaluates ∞/∞ here.
  if (x === Number.POSITIVE_INFINITY) return 0;
  const t = x / Math.SQRT2;
  return t < 2 ? 0.5 * (1 - erfSeries(t)) : 0.5 * erfcContinuedFraction(t);
}

/** Two-sided p-value of a z statistic. */
export function twoSidedPValue(z: number): number {
  return 2 * normalUpperTail(Math.abs(z));
}

function erfSeries(t: number): number {
  // erf(t) = 2/√π · Σ (-1)^n t^(2n+1) / (n! (2n+1))
  let term = t;
  let sum = t;
  for (let n = 1; n < 200; n++) {
    term *= (-t * t) / n;
    const next = term / (2 * n + 1);
    sum += next;
    if (Math.abs(next) < 1e-17 * Math.abs(sum)) break;
  }
  return (2 / Math.sqrt(Math.PI)) * sum;
}

function erfcContinuedFraction(t: number): number {
  // erfc(t) = e^{-t²}/√π · 1/(t + (1/2)/(t + 1/(t + (3/2)/(t + ...)))), evaluated with Lentz's method.
  const tiny = 1e-300;
  let f = t;
  let c = t;
  let d = 0;
  for (let n = 1; n < 500; n++) {
    const a = n / 2;
    d = t + a * d;
    d = d === 0 ? tiny : 1 / d;
    c = t + a / c;
    if (c === 0) c = tiny;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return Math.exp(-t * t) / Math.sqrt(Math.PI) / f;
}
