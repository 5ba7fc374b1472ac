/**
 * The admission model of the walkthroughs' R backend: `glm(admit ~ gre + gpa + factor(rank), family = binomial)`
 * on the UCLA admissions data, with missing inputs imputed by the training data's mean (gre, gpa) and most
 * common level (rank), as the original service does.
 */

import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { type AdmissionRequest, RANK_LEVELS, type Rank } from '@gateway-pattern/admission-api';
import { Matrix } from 'ml-matrix';
import { type Static, Type } from 'typebox';
import { parseNumericCsv } from '../data/csv.ts';
import { fitLogistic, GlmError, type LogisticFit } from './glm.ts';
import { twoSidedPValue } from './normal.ts';

/** The answer of `POST /admission`. */
export interface AdmissionPrediction {
  /** `probability > 0.5`. */
  result: boolean;
  probability: number;
}

/** One row of the coefficient table of `summary(glm)`. */
export const CoefficientRow = Type.Object({
  name: Type.String(),
  estimate: Type.Number(),
  stdError: Type.Number(),
  zValue: Type.Number(),
  /** Two-sided, from the normal distribution (R's `Pr(>|z|)`). */
  pValue: Type.Number(),
});

/** One row of the coefficient table of `summary(glm)`. */
export type CoefficientRow = Static<typeof CoefficientRow>;

/** What `GET /admission/model` shows: R's `summary(glm)` plus the imputation values. */
export const AdmissionCard = Type.Object({
  formula: Type.String(),
  family: Type.String(),
  n: Type.Integer(),
  coefficients: Type.Array(CoefficientRow),
  nullDeviance: Type.Number(),
  dfNull: Type.Integer(),
  residualDeviance: Type.Number(),
  dfResidual: Type.Integer(),
  aic: Type.Number(),
  /** Fisher scoring iterations, as R counts them. */
  iterations: Type.Integer(),
  /** The values that stand in for missing fields. */
  imputation: Type.Object({ gre: Type.Number(), gpa: Type.Number(), rank: Type.Enum(RANK_LEVELS) }),
});

/** What `GET /admission/model` shows. */
export type AdmissionCard = Static<typeof AdmissionCard>;

const COEFFICIENT_NAMES = ['(Intercept)', 'gre', 'gpa', 'rank2', 'rank3', 'rank4'];

/** The fitted admission model. */
export class AdmissionModel {
  readonly fit: LogisticFit;
  readonly imputation: { readonly gre: number; readonly gpa: number; readonly rank: Rank };
  readonly n: number;

  constructor(fit: LogisticFit, imputation: AdmissionModel['imputation'], n: number) {
    this.fit = fit;
    this.imputation = imputation;
    this.n = n;
  }

  /** The probability of admission for `applicant`, missing fields imputed. */
  predict(applicant: AdmissionRequest): AdmissionPrediction {
    const row = designRow(
      applicant.gre ?? this.imputation.gre,
      applicant.gpa ?? this.imputation.gpa,
      applicant.rank ?? this.imputation.rank,
    );
    let eta = 0;
    for (let a = 0; a < row.length; a++) eta += (row[a] as number) * (this.fit.coefficients[a] as number);
    const probability = 1 / (1 + Math.exp(-eta));
    return { result: probability > 0.5, probability };
  }

  /** The model card (`GET /admission/model`). */
  card(): AdmissionCard {
    const { fit } = this;
    const p = fit.coefficients.length;
    return {
      formula: 'admit ~ gre + gpa + factor(rank)',
      family: 'binomial (logit link)',
      n: this.n,
      coefficients: fit.coefficients.map((estimate, a) => {
        const stdError = fit.standardErrors[a] as number;
        const zValue = estimate / stdError;
        return {
          name: COEFFICIENT_NAMES[a] as string,
          estimate,
          stdError,
          zValue,
          pValue: twoSidedPValue(zValue),
        };
      }),
      nullDeviance: fit.nullDeviance,
      dfNull: this.n - 1,
      residualDeviance: fit.deviance,
      dfResidual: this.n - p,
      // For 0/1 outcomes the saturated log-likelihood is 0, so AIC = deviance + 2 × parameters.
      aic: fit.deviance + 2 * p,
      iterations: fit.iterations,
      imputation: { ...this.imputation },
    };
  }
}

/** `[1, gre, gpa, rank2, rank3, rank4]`: R's treatment coding of `factor(rank)`. */
function designRow(gre: number, gpa: number, rank: Rank): number[] {
  return [1, gre, gpa, rank === '2' ? 1 : 0, rank === '3' ? 1 : 0, rank === '4' ? 1 : 0];
}

/** Fits the model to a CSV with columns admit, gre, gpa, rank (binary.csv). Throws on malformed data. */
export function fitAdmissionModel(csv: string): AdmissionModel {
  const table = parseNumericCsv(csv);
  const column = (name: string) => {
    const index = table.columns.indexOf(name);
    if (index === -1) throw new GlmError('GLM_DATA', `the admission data has no '${name}' column`);
    return (row: number) => table.values[row * table.columns.length + index] as number;
  };
  const admit = column('admit');
  const gre = column('gre');
  const gpa = column('gpa');
  const rank = column('rank');
  const n = table.rows;
  const x = new Matrix(n, COEFFICIENT_NAMES.length);
  const y = new Float64Array(n);
  const rankCounts = new Map<Rank, number>();
  let greSum = 0;
  let gpaSum = 0;
  for (let i = 0; i < n; i++) {
    const level = String(rank(i)) as Rank;
    if (!RANK_LEVELS.includes(level)) {
      throw new GlmError('GLM_DATA', `row ${i + 1}: rank ${rank(i)} is not one of ${RANK_LEVELS.join(', ')}`);
    }
    rankCounts.set(level, (rankCounts.get(level) ?? 0) + 1);
    greSum += gre(i);
    gpaSum += gpa(i);
    x.setRow(i, designRow(gre(i), gpa(i), level));
    y[i] = admit(i);
  }
  // The most common level; ties go to the lowest, as R's which.max does.
  let mode: Rank = '1';
  for (const level of RANK_LEVELS)
    if ((rankCounts.get(level) ?? 0) > (rankCounts.get(mode) ?? 0)) mode = level;
  return new AdmissionModel(fitLogistic(x, y), { gre: greSum / n, gpa: gpaSum / n, rank: mode }, n);
}

/** The repository's copy of the UCLA admissions data (`data/binary.csv` at the root), the only one. */
export const DEFAULT_ADMISSION_DATA = fileURLToPath(new URL('../../../../data/binary.csv', import.meta.url));

/** Reads and fits the admission data at `path`. */
export async function loadAdmissionModel(path: string = DEFAULT_ADMISSION_DATA): Promise<AdmissionModel> {
  return fitAdmissionModel(await readFile(path, 'utf8'));
}
