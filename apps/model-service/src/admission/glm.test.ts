import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Matrix } from 'ml-matrix';
import { fitLogistic } from './glm.ts';
import { loadAdmissionModel } from './model.ts';
import { normalUpperTail, twoSidedPValue } from './normal.ts';

// R 4.2: summary(glm(admit ~ gre + gpa + factor(rank), family = binomial, data = binary))
const R = {
  estimate: [-3.989979, 0.002264426, 0.804037549, -0.675442928, -1.340203916, -1.551463677],
  stdError: [1.139951, 0.001093998, 0.331819, 0.31649, 0.345306, 0.417832],
  pValue: [0.000465, 0.038465, 0.015388, 0.032829, 0.000104, 0.000205],
  nullDeviance: 499.9765,
  residualDeviance: 458.5175,
  aic: 470.5175,
};

const model = await loadAdmissionModel();

describe('admission glm, against R', () => {
  it('has the coefficients of R to 1e-6', () => {
    for (const [a, expected] of R.estimate.entries()) {
      assert.ok(Math.abs((model.fit.coefficients[a] as number) - expected) < 1e-6, `coefficient ${a}`);
    }
  });

  it("has R's standard errors, p-values, deviances and AIC to the digits R prints", () => {
    const card = model.card();
    for (const [a, row] of card.coefficients.entries()) {
      assert.ok(Math.abs(row.stdError / (R.stdError[a] as number) - 1) < 1e-5, `SE of ${row.name}`);
      assert.ok(Math.abs(row.pValue / (R.pValue[a] as number) - 1) < 2e-3, `p-value of ${row.name}`);
      assert.equal(row.zValue, row.estimate / row.stdError);
    }
    assert.ok(Math.abs(card.nullDeviance - R.nullDeviance) < 1e-4);
    assert.ok(Math.abs(card.residualDeviance - R.residualDeviance) < 1e-4);
    assert.ok(Math.abs(card.aic - R.aic) < 1e-4);
    assert.equal(card.dfNull, 399);
    assert.equal(card.dfResidual, 394);
    assert.equal(card.iterations, 4);
    assert.deepEqual(
      card.coefficients.map((row) => row.name),
      ['(Intercept)', 'gre', 'gpa', 'rank2', 'rank3', 'rank4'],
    );
  });

  it('imputes mean gre, mean gpa and the modal rank', () => {
    assert.ok(Math.abs(model.imputation.gre - 587.7) < 1e-9);
    assert.ok(Math.abs(model.imputation.gpa - 3.3899) < 1e-9);
    assert.equal(model.imputation.rank, '2');
  });

  it("answers the walkthrough's applicant as the R service does", () => {
    const { result, probability } = model.predict({ gre: 600, rank: '1' });
    assert.equal(result, true);
    assert.ok(Math.abs(probability - 0.52355) < 5e-6);
    assert.equal(model.predict({ gre: 200, gpa: 2, rank: '4' }).result, false);
  });
});

describe('fitLogistic', () => {
  it('refuses outcomes other than 0/1 and a singular design', () => {
    const x = new Matrix([
      [1, 1],
      [1, 1],
      [1, 1],
    ]);
    assert.throws(() => fitLogistic(x, [0, 2, 1]), { code: 'GLM_OUTCOME' });
    assert.throws(() => fitLogistic(x, [0, 1, 1]), { code: 'GLM_SINGULAR' });
  });
});

describe('normal tail', () => {
  it('matches known values of pnorm', () => {
    assert.ok(Math.abs(normalUpperTail(0) - 0.5) < 1e-15);
    assert.ok(Math.abs(normalUpperTail(1.959963984540054) - 0.025) < 1e-15);
    assert.ok(Math.abs(normalUpperTail(5) / 2.866515718791939e-7 - 1) < 1e-12);
    assert.ok(Math.abs(normalUpperTail(-1) - 0.8413447460685429) < 1e-15);
    assert.ok(Math.abs(twoSidedPValue(-2.0698635) - 0.0384651) < 1e-6);
  });
});
