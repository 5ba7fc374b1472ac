import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import type { Rank } from '@gateway-pattern/admission-api';
import { Matrix } from 'ml-matrix';
import { fitLogistic } from './glm.ts';
import { DEFAULT_ADMISSION_DATA, loadAdmissionModel } from './model.ts';
import { normalUpperTail, twoSidedPValue } from './normal.ts';

// R 4.2: summary(glm(admit ~ gre + gpa + factor(rank), family = binomial, data = binary)), as printed.
const R = {
  names: ['(Intercept)', 'gre', 'gpa', 'rank2', 'rank3', 'rank4'],
  estimate: [-3.989979, 0.002264426, 0.804037549, -0.675442928, -1.340203916, -1.551463677],
  stdError: [1.139951, 0.001093998, 0.331819, 0.31649, 0.345306, 0.417832],
  zValue: [-3.5, 2.07, 2.423, -2.134, -3.881, -3.713],
  pValue: [0.000465, 0.038465, 0.015388, 0.032829, 0.000104, 0.000205],
  nullDeviance: 499.9765,
  residualDeviance: 458.5175,
  aic: 470.5175,
};

const model = await loadAdmissionModel();
const card = model.card();

/** `|actual - expected|` is within half a unit of the last decimal R printed `expected` with. */
function agreesToPrinted(actual: number, expected: number, decimals: number): boolean {
  return Math.abs(actual - expected) <= 0.5 * 10 ** -decimals + 1e-15;
}

describe('admission glm, against R', () => {
  it('has the coefficients of R to 1e-6', () => {
    for (const [a, expected] of R.estimate.entries()) {
      assert.ok(Math.abs((model.fit.coefficients[a] as number) - expected) < 1e-6, R.names[a]);
    }
  });

  it("has R's standard errors to 1e-5 relative", () => {
    for (const [a, row] of card.coefficients.entries()) {
      assert.ok(Math.abs(row.stdError / (R.stdError[a] as number) - 1) < 1e-5, `SE of ${row.name}`);
    }
  });

  it("has R's z values and p-values to every digit R prints", () => {
    // R prints z to 3 decimals and p to 6, so three of its p-values have only 3 significant digits: a relative
    // bound would test R's rounding. The tail function itself is checked to 1e-12 below.
    for (const [a, row] of card.coefficients.entries()) {
      assert.equal(row.zValue, row.estimate / row.stdError);
      assert.ok(agreesToPrinted(row.zValue, R.zValue[a] as number, 3), `z of ${row.name}: ${row.zValue}`);
      assert.ok(agreesToPrinted(row.pValue, R.pValue[a] as number, 6), `p of ${row.name}: ${row.pValue}`);
    }
  });

  it("has R's deviances, degrees of freedom, AIC and iteration count", () => {
    assert.ok(agreesToPrinted(card.nullDeviance, R.nullDeviance, 4));
    assert.ok(agreesToPrinted(card.residualDeviance, R.residualDeviance, 4));
    assert.ok(agreesToPrinted(card.aic, R.aic, 4));
    assert.equal(card.n, 400);
    assert.equal(card.dfNull, 399);
    assert.equal(card.dfResidual, 394);
    assert.equal(card.iterations, 4);
    assert.deepEqual(
      card.coefficients.map((row) => row.name),
      R.names,
    );
    assert.equal(card.formula, 'admit ~ gre + gpa + factor(rank)');
  });

  it("stops at the maximum of the likelihood: the score X'(y - μ) is zero", async () => {
    const csv = await readFile(DEFAULT_ADMISSION_DATA, 'utf8');
    const rows = csv
      .trim()
      .split('\n')
      .slice(1)
      .map((line) => line.split(',').map(Number));
    const score = new Array<number>(6).fill(0);
    for (const [admit, gre, gpa, rank] of rows as [number, number, number, number][]) {
      const residual = admit - model.predict({ gre, gpa, rank: String(rank) as Rank }).probability;
      const x = [1, gre, gpa, rank === 2 ? 1 : 0, rank === 3 ? 1 : 0, rank === 4 ? 1 : 0];
      for (let a = 0; a < 6; a++) score[a] = (score[a] as number) + (x[a] as number) * residual;
    }
    // gre is in hundreds, so its component is scaled by its size.
    for (const [a, value] of score.entries())
      assert.ok(Math.abs(value) < 1e-6 * (a === 1 ? 600 : 1), R.names[a]);
  });

  it('imputes mean gre, mean gpa and the modal rank', () => {
    assert.ok(Math.abs(model.imputation.gre - 587.7) < 1e-9);
    assert.ok(Math.abs(model.imputation.gpa - 3.3899) < 1e-9);
    assert.equal(model.imputation.rank, '2');
    assert.deepEqual(card.imputation, model.imputation);
  });

  it("answers the walkthrough's applicant as the R service does", () => {
    const { result, probability } = model.predict({ gre: 600, rank: '1' });
    assert.equal(result, true);
    assert.ok(Math.abs(probability - 0.52355) < 5e-6);
    assert.equal(model.predict({ gre: 200, gpa: 2, rank: '4' }).result, false);
  });

  it('imputes only what is missing', () => {
    const { gre, gpa, rank } = model.imputation;
    const full = model.predict({ gre, gpa, rank }).probability;
    assert.equal(model.predict({}).probability, full);
    assert.equal(model.predict({ gpa }).probability, full);
    assert.notEqual(model.predict({ gpa: 4 }).probability, full);
  });
});

describe('fitLogistic', () => {
  it('refuses outcomes other than 0/1 and a singular design', () => {
    const x = new Matrix([
      [1, 1.0],
      [1, 1.0],
      [1, 1.0],
    ]);
    assert.throws(() => fitLogistic(x, [0, 2, 1]), { code: 'GLM_OUTCOME' });
    assert.throws(() => fitLogistic(x, [0, 1, 1]), { code: 'GLM_SINGULAR' });
    assert.throws(() => fitLogistic(x, [0, 1.0]), { code: 'GLM_SHAPE' });
  });

  it('honours the iteration limit, and says so rather than answer from an unconverged fit', () => {
    const x = new Matrix([1, 2, 3, 4, 5].map((v) => [1, v]));
    const y = [0, 1, 0, 1, 1];
    assert.equal(fitLogistic(x, y).iterations, 4);
    assert.throws(() => fitLogistic(x, y, { maxIterations: 2 }), { code: 'GLM_NOT_CONVERGED' });
    assert.ok(fitLogistic(x, y, { epsilon: 1e-2 }).iterations < 4);
  });

  it('refuses completely separated data instead of returning infinite coefficients', () => {
    const x = new Matrix([1, 2, 3, 4].map((v) => [1, v]));
    assert.throws(() => fitLogistic(x, [0, 0, 1, 1]), { code: 'GLM_DIVERGED' });
  });
});

describe('normal tail', () => {
  it('matches known values of pnorm', () => {
    assert.ok(Math.abs(normalUpperTail(0) - 0.5) < 1e-15);
    assert.ok(Math.abs(normalUpperTail(1.959963984540054) - 0.025) < 1e-15);
    assert.ok(Math.abs(normalUpperTail(5) / 2.866515718791939e-7 - 1) < 1e-12);
    assert.ok(Math.abs(normalUpperTail(-1) - 0.8413447460685429) < 1e-15);
    assert.ok(Number.isNaN(normalUpperTail(Number.NaN)));
    assert.equal(normalUpperTail(Number.POSITIVE_INFINITY), 0);
  });

  it('gives two-sided p-values to 1e-12 relative, on both sides of the series/fraction switch', () => {
    // erfc(|z|/√2) from mpmath at 40 digits, rounded to the nearest double; the first six are this model's z statistics.
    const reference: Array<[number, number]> = [
      [-3.500132284973618, 0.0004650273258986136],
      [2.0698635049601246, 0.03846512837586318],
      [2.423118710355002, 0.015387897350264862],
      [-2.1341705946097824, 0.03282881882803008],
      [-3.8812018714799827, 0.00010394151565831418],
      [-3.713131208939253, 0.00020471068682282844],
      [0.5, 0.6170750774519738],
      [2.8, 0.005110260660855866],
      [2.9, 0.003731626600768076],
      [-6.5, 8.032001167718236e-11],
      [8, 1.2441921148543568e-15],
    ];
    for (const [z, p] of reference) {
      assert.ok(Math.abs(twoSidedPValue(z) / p - 1) < 1e-12, `z = ${z}: ${twoSidedPValue(z)} vs ${p}`);
    }
  });
});
