import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TrainOptionsError } from './errors.ts';
import { boston, R_FIRST_TEN_PREDICTIONS } from './testing.ts';
import { defaultForestOptions, resolveForestOptions, trainForest } from './train.ts';
import { predictTree } from './tree.ts';

describe('trainForest', () => {
  it("uses R randomForest's regression defaults", () => {
    assert.deepEqual(defaultForestOptions(13), { ntree: 100, mtry: 4, nodeSize: 5, seed: 1 });
    assert.equal(defaultForestOptions(2).mtry, 1);
  });

  it('is deterministic for a seed and differs between seeds', () => {
    const a = trainForest(boston(), { ntree: 5, seed: 11 });
    const b = trainForest(boston(), { ntree: 5, seed: 11 });
    const c = trainForest(boston(), { ntree: 5, seed: 12 });
    assert.deepEqual(a, b);
    assert.notDeepEqual(a.trees, c.trees);
  });

  it('refuses out-of-range options, naming the option', () => {
    for (const [option, value] of [
      ['ntree', 0],
      ['mtry', 14],
      ['nodeSize', 0],
      ['seed', -1],
      ['ntree', 2.5],
    ] as const) {
      assert.throws(
        () => resolveForestOptions(13, { [option]: value }),
        (err: unknown) => err instanceof TrainOptionsError && err.option === option,
      );
    }
  });

  describe('100 trees on Boston with defaults', () => {
    const forest = trainForest(boston());
    const data = boston();

    it('reports plausible out-of-bag figures (R: MSE 10.1–10.7, 87.3–88.0 % explained)', () => {
      const { summary } = forest;
      assert.equal(summary.rows, 506);
      assert.equal(summary.oobRows, 506, 'with 100 trees every row is out of bag for some tree');
      assert.ok(summary.percentVarianceExplained > 80, `% var explained ${summary.percentVarianceExplained}`);
      assert.ok(summary.oobMse > 5 && summary.oobMse < 17, `OOB MSE ${summary.oobMse}`);
      assert.ok(Math.abs(summary.targetVariance - 84.4196) < 1e-3, 'var(medv) with denominator n');
      assert.equal(summary.oobMseByTree.length, 100);
      assert.equal(summary.oobMseByTree.at(-1), summary.oobMse);
      const first = summary.oobMseByTree[0] as number;
      assert.ok(first > summary.oobMse, 'one tree is worse than a hundred');
    });

    it("predicts the walkthrough's first ten rows within ±3 of R's forest", () => {
      for (let r = 0; r < 10; r++) {
        let sum = 0;
        for (const tree of forest.trees) sum += predictTree(tree, data.x, r * data.p);
        const ours = sum / forest.trees.length;
        const theirs = R_FIRST_TEN_PREDICTIONS[r] as number;
        assert.ok(Math.abs(ours - theirs) <= 3, `row ${r + 1}: ${ours.toFixed(2)} vs R's ${theirs}`);
      }
    });
  });
});
