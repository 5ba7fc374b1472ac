import { growTree, presort } from './cart.ts';
import type { Dataset } from './dataset.ts';
import { TrainOptionsError } from './errors.ts';
import { MAX_SEED, Random } from './random.ts';
import { predictTree, type Tree } from './tree.ts';

/** Everything that, with the data, determines a forest. */
export interface ForestOptions {
  ntree: number;
  /** Features tried at each split. R's default for regression is max(floor(p / 3), 1). */
  mtry: number;
  /** Nodes with this many in-bag rows or fewer are leaves. R's default for regression is 5. */
  nodeSize: number;
  seed: number;
}

/** Out-of-bag figures, as R's `print(randomForest(...))` reports them for regression. */
export interface TrainingSummary {
  rows: number;
  /** Rows that were out of bag for at least one tree: the OOB error is averaged over these. */
  oobRows: number;
  /** Variance of the target with denominator n, the one R's `rsq` divides by. */
  targetVariance: number;
  /** Mean squared error of each row's average prediction over the trees it was out of bag for. */
  oobMse: number;
  /** 100 · (1 − oobMse / targetVariance): R's "% Var explained". */
  percentVarianceExplained: number;
  /**
   * OOB MSE after 1, 2, …, ntree trees (R's `$mse`), to show whether more trees would help; `null` while no row
   * has been out of bag yet (only possible on tiny data sets).
   */
  oobMseByTree: (number | null)[];
}

/** A trained regression forest with what is needed to describe it. */
export interface TrainedForest {
  features: string[];
  target: string;
  options: ForestOptions;
  trees: Tree[];
  summary: TrainingSummary;
}

/** Called after each tree with the number grown so far and the running OOB MSE (`null` while there is none). */
export type TrainProgress = (treesDone: number, ntree: number, oobMse: number | null) => void;

/** R randomForest's regression defaults for `p` features (ntree 100 as in the walkthrough, seed 1). */
export function defaultForestOptions(p: number): ForestOptions {
  return { ntree: 100, mtry: Math.max(Math.floor(p / 3), 1), nodeSize: 5, seed: 1 };
}

function requireInteger(option: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new TrainOptionsError(option, `must be an integer from ${min} to ${max} (got ${value})`);
  }
}

/** Fills unset options with R's defaults and checks every option's range; throws {@link TrainOptionsError}. */
export function resolveForestOptions(p: number, options: Partial<ForestOptions> = {}): ForestOptions {
  const resolved = { ...defaultForestOptions(p), ...options };
  requireInteger('ntree', resolved.ntree, 1, 100_000);
  requireInteger('mtry', resolved.mtry, 1, p);
  requireInteger('nodeSize', resolved.nodeSize, 1, 1_000_000);
  requireInteger('seed', resolved.seed, 0, MAX_SEED);
  return resolved;
}

/** Population variance (denominator n). */
function variance(y: Float64Array): number {
  let mean = 0;
  for (const v of y) mean += v;
  mean /= y.length;
  let ss = 0;
  for (const v of y) ss += (v - mean) * (v - mean);
  return ss / y.length;
}

/**
 * Fits `target ~ .` as R's `randomForest` does for regression: each tree is grown (see `cart.ts`) on a bootstrap
 * sample of n rows drawn with replacement, and the rows it did not draw are its out-of-bag rows, whose predictions
 * give the OOB error without a hold-out set. Deterministic for a given dataset and options.
 */
export function trainForest(
  dataset: Dataset,
  options: Partial<ForestOptions> = {},
  onProgress?: TrainProgress,
): TrainedForest {
  const resolved = resolveForestOptions(dataset.p, options);
  const { n, y } = dataset;
  const random = new Random(resolved.seed);
  const sample = new Int32Array(n);
  const inBag = new Uint8Array(n);
  const oobSum = new Float64Array(n);
  const oobCount = new Int32Array(n);
  const trees: Tree[] = [];
  const oobMseByTree: (number | null)[] = [];
  const presorted = presort(dataset);

  for (let t = 0; t < resolved.ntree; t++) {
    inBag.fill(0);
    for (let i = 0; i < n; i++) {
      const row = random.below(n);
      sample[i] = row;
      inBag[row] = 1;
    }
    const tree = growTree(dataset, sample, resolved, random, presorted);
    trees.push(tree);

    let sse = 0;
    let seen = 0;
    for (let row = 0; row < n; row++) {
      if (inBag[row] === 0) {
        oobSum[row] = (oobSum[row] as number) + predictTree(tree, dataset.x, row * dataset.p);
        oobCount[row] = (oobCount[row] as number) + 1;
      }
      const count = oobCount[row] as number;
      if (count > 0) {
        const residual = (y[row] as number) - (oobSum[row] as number) / count;
        sse += residual * residual;
        seen++;
      }
    }
    const mse = seen > 0 ? sse / seen : null;
    oobMseByTree.push(mse);
    onProgress?.(t + 1, resolved.ntree, mse);
  }

  const oobMse = oobMseByTree.at(-1);
  if (oobMse === null || oobMse === undefined) {
    throw new TrainOptionsError(
      'ntree',
      `no row was out of bag for any of the ${resolved.ntree} trees; grow more trees`,
    );
  }
  let oobRows = 0;
  for (const count of oobCount) if (count > 0) oobRows++;
  const targetVariance = variance(y);
  return {
    features: [...dataset.features],
    target: dataset.target,
    options: resolved,
    trees,
    summary: {
      rows: n,
      oobRows,
      targetVariance,
      oobMse,
      percentVarianceExplained: 100 * (1 - oobMse / targetVariance),
      oobMseByTree,
    },
  };
}
