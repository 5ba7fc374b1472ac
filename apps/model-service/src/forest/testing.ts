import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { BOSTON_TARGET } from './boston.ts';
import { type Dataset, datasetFromCsv } from './dataset.ts';

/** The repository's copy of R's `MASS::Boston`. */
export const BOSTON_CSV = resolve(import.meta.dirname, '../../../../data/boston.csv');

/** The walkthrough's answer for `MASS::Boston[1:10, ]` from its 100-tree R forest. */
export const R_FIRST_TEN_PREDICTIONS = [
  25.9269, 22.0636, 34.1876, 33.7737, 34.8081, 27.6394, 21.8007, 22.3577, 16.7812, 18.9785,
];

let cached: Dataset | undefined;

/** Boston as a {@link Dataset} (read once per test process). */
export function boston(): Dataset {
  cached ??= datasetFromCsv(readFileSync(BOSTON_CSV, 'utf8'), BOSTON_TARGET);
  return cached;
}

/** The first `rows` Boston rows as JSON records, all 14 columns (medv included), as R's `jsonlite` sends them. */
export function bostonRecords(rows: number): Record<string, number>[] {
  const data = boston();
  return Array.from({ length: rows }, (_, r) => {
    const record: Record<string, number> = {};
    data.features.forEach((name, f) => {
      record[name] = data.x[r * data.p + f] as number;
    });
    record[data.target] = data.y[r] as number;
    return record;
  });
}
