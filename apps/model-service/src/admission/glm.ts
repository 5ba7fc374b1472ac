/**
 * Logistic regression fit by iteratively reweighted least squares, the algorithm of R's `glm.fit` for
 * `family = binomial`: same start (`mustart = (y + 0.5) / 2`), same convergence test
 * (`|dev - devold| / (|dev| + 0.1) < 1e-8`), so the coefficients agree with R's to many digits.
 * Gradient-descent fits (ml-logistic-regression) stop far from the maximum and cannot.
 */

import { CholeskyDecomposition, Matrix } from 'ml-matrix';

/** Options of {@link fitLogistic}; R's `glm.control` defaults. */
export interface GlmControl {
  /** Relative deviance change that counts as converged. Default 1e-8. */
  epsilon?: number;
  /** Most Fisher scoring iterations. Default 25. */
  maxIterations?: number;
}

/** A fitted logistic regression, with what `summary(glm)` reports. */
export interface LogisticFit {
  coefficients: number[];
  /** Standard errors from the inverse Fisher information at the fit. */
  standardErrors: number[];
  /** Residual deviance, `-2 log L` for 0/1 data. */
  deviance: number;
  /** Deviance of the intercept-only model. */
  nullDeviance: number;
  /** Fisher scoring iterations, counted as R counts them. */
  iterations: number;
  converged: boolean;
}

/** Thrown when the data cannot be fit (singular design, no convergence, bad shapes). */
export class GlmError extends Error {
  readonly code: string;

  constructor(code: string, message: string) {
    super(message);
    this.name = 'GlmError';
    this.code = code;
  }
}

const logit = (p: number) => Math.log(p / (1 - p));
const inverseLogit = (eta: number) => 1 / (1 + Math.exp(-eta));

/** Binomial deviance of 0/1 outcomes `y` at probabilities `mu`. */
function binomialDeviance(y: ArrayLike<number>, mu: ArrayLike<number>): number {
  let deviance = 0;
  for (let i = 0; i < y.length; i++) {
    const m = mu[i] as number;
    deviance -= 2 * ((y[i] as number) === 1 ? Math.log(m) : Math.log(1 - m));
  }
  return deviance;
}

/**
 * Fits `P(y = 1) = 1 / (1 + exp(-X β))` by maximum likelihood. `x` is the design matrix (with its intercept
 * column), one row per observation; `y` holds 0/1 outcomes.
 */
export function fitLogistic(x: Matrix, y: ArrayLike<number>, control: GlmControl = {}): LogisticFit {
  const epsilon = control.epsilon ?? 1e-8;
  const maxIterations = control.maxIterations ?? 25;
  const n = x.rows;
  const p = x.columns;
  if (y.length !== n) throw new GlmError('GLM_SHAPE', `${n} design rows but ${y.length} outcomes`);
  for (let i = 0; i < n; i++) {
    if (y[i] !== 0 && y[i] !== 1)
      throw new GlmError('GLM_OUTCOME', `outcome ${i + 1} is ${y[i]}, not 0 or 1`);
  }

  const eta = new Float64Array(n);
  const mu = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    mu[i] = ((y[i] as number) + 0.5) / 2;
    eta[i] = logit(mu[i] as number);
  }
  let devold = binomialDeviance(y, mu);
  let coefficients = new Array<number>(p).fill(0);
  let information: Matrix | undefined;
  let deviance = devold;
  let iterations = 0;
  let converged = false;

  for (let iter = 1; iter <= maxIterations; iter++) {
    iterations = iter;
    // Working response z and weights w for the logit link: dμ/dη = μ(1-μ) = Var(μ).
    const xtwx = Matrix.zeros(p, p);
    const xtwz = Matrix.zeros(p, 1);
    for (let i = 0; i < n; i++) {
      const m = mu[i] as number;
      const w = m * (1 - m);
      const z = (eta[i] as number) + ((y[i] as number) - m) / w;
      for (let a = 0; a < p; a++) {
        const wxa = w * x.get(i, a);
        xtwz.set(a, 0, xtwz.get(a, 0) + wxa * z);
        for (let b = 0; b <= a; b++) xtwx.set(a, b, xtwx.get(a, b) + wxa * x.get(i, b));
      }
    }
    for (let a = 0; a < p; a++) for (let b = 0; b < a; b++) xtwx.set(b, a, xtwx.get(a, b));
    const cholesky = new CholeskyDecomposition(xtwx);
    if (!cholesky.isPositiveDefinite()) {
      throw new GlmError('GLM_SINGULAR', 'the design matrix is singular (a column is constant or collinear)');
    }
    coefficients = cholesky.solve(xtwz).getColumn(0);
    information = xtwx;
    for (let i = 0; i < n; i++) {
      let e = 0;
      for (let a = 0; a < p; a++) e += x.get(i, a) * (coefficients[a] as number);
      eta[i] = e;
      mu[i] = inverseLogit(e);
    }
    deviance = binomialDeviance(y, mu);
    if (!Number.isFinite(deviance))
      throw new GlmError('GLM_DIVERGED', 'the deviance is not finite (separation?)');
    if (Math.abs(deviance - devold) / (Math.abs(deviance) + 0.1) < epsilon) {
      converged = true;
      break;
    }
    devold = deviance;
  }
  if (!converged || information === undefined) {
    throw new GlmError('GLM_NOT_CONVERGED', `no convergence in ${maxIterations} iterations`);
  }

  // R reports standard errors from the weights of the last iteration, as here.
  const covariance = new CholeskyDecomposition(information).solve(Matrix.eye(p, p));
  const standardErrors = coefficients.map((_, a) => Math.sqrt(covariance.get(a, a)));

  let successes = 0;
  for (let i = 0; i < n; i++) successes += y[i] as number;
  const mean = successes / n;
  const nullDeviance = binomialDeviance(y, new Float64Array(n).fill(mean));

  return { coefficients, standardErrors, deviance, nullDeviance, iterations, converged };
}
