import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { parseNumericCsv } from '../data/csv.ts';
import { DatasetError } from '../data/errors.ts';

/**
 * A regression training set, `target ~ .`: every column but the target is a feature, in file order
 * (the column order R's formula interface gives `randomForest`).
 */
export interface Dataset {
  features: string[];
  target: string;
  /** Rows. */
  n: number;
  /** Features per row. */
  p: number;
  /** Feature values row by row: `x[row * p + feature]`. */
  x: Float64Array;
  /** Target values. */
  y: Float64Array;
}

/** A dataset together with the identity of the file it came from. */
export interface LoadedDataset {
  dataset: Dataset;
  /** Hex sha256 of the file's bytes, so an artifact names exactly the data it was trained on. */
  sha256: string;
}

/** Splits a numeric CSV's text into features and `target`; throws {@link DatasetError} if the target is absent. */
export function datasetFromCsv(text: string, target: string): Dataset {
  const table = parseNumericCsv(text);
  const targetIndex = table.columns.indexOf(target);
  if (targetIndex < 0) {
    throw new DatasetError(
      'DATASET_TARGET',
      `no target column '${target}' (columns: ${table.columns.join(', ')})`,
    );
  }
  if (table.columns.length < 2) {
    throw new DatasetError('DATASET_HEADER', `no feature columns besides the target '${target}'`);
  }
  const width = table.columns.length;
  const features = table.columns.filter((_, i) => i !== targetIndex);
  const p = features.length;
  const n = table.rows;
  const x = new Float64Array(n * p);
  const y = new Float64Array(n);
  for (let r = 0; r < n; r++) {
    let f = 0;
    for (let c = 0; c < width; c++) {
      const value = table.values[r * width + c] as number;
      if (c === targetIndex) y[r] = value;
      else x[r * p + f++] = value;
    }
  }
  return { features, target, n, p, x, y };
}

/** Reads a CSV file into a {@link Dataset} and hashes its bytes. */
export async function loadDataset(path: string, target: string): Promise<LoadedDataset> {
  const bytes = await readFile(path);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  return { dataset: datasetFromCsv(bytes.toString('utf8'), target), sha256 };
}

/** The rows `rows` of `dataset` as a new dataset (for hold-out splits). */
export function subsetRows(dataset: Dataset, rows: ArrayLike<number>): Dataset {
  const { p } = dataset;
  const x = new Float64Array(rows.length * p);
  const y = new Float64Array(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i] as number;
    x.set(dataset.x.subarray(r * p, r * p + p), i * p);
    y[i] = dataset.y[r] as number;
  }
  return { ...dataset, n: rows.length, x, y };
}
