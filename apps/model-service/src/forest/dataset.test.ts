import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DatasetError } from '../data/errors.ts';
import { BOSTON_FEATURES } from './boston.ts';
import { datasetFromCsv, subsetRows } from './dataset.ts';
import { boston } from './testing.ts';

function refuses(text: string, code: DatasetError['code'], message: RegExp): void {
  assert.throws(
    () => datasetFromCsv(text, 'y'),
    (err: unknown) => err instanceof DatasetError && err.code === code && message.test(err.message),
  );
}

describe('datasetFromCsv', () => {
  it('reads Boston as medv ~ . with the features in column order', () => {
    const data = boston();
    assert.equal(data.n, 506);
    assert.equal(data.p, 13);
    assert.deepEqual(data.features, BOSTON_FEATURES);
    assert.equal(data.target, 'medv');
    assert.deepEqual(
      Array.from(data.x.subarray(0, 13)),
      [0.00632, 18, 2.31, 0, 0.538, 6.575, 65.2, 4.09, 1, 296, 15.3, 396.9, 4.98],
    );
    assert.equal(data.y[0], 24);
    assert.equal(data.y[505], 11.9);
  });

  it('takes the target from any position and accepts CRLF and no final newline', () => {
    const data = datasetFromCsv('y,a,b\r\n1,2,3\r\n4,5.5e1,-6', 'y');
    assert.deepEqual(data.features, ['a', 'b']);
    assert.deepEqual(Array.from(data.x), [2, 3, 55, -6]);
    assert.deepEqual(Array.from(data.y), [1, 4]);
  });

  it('refuses malformed files, naming the line and column', () => {
    refuses('', 'DATASET_EMPTY', /empty/);
    refuses('a,y\n', 'DATASET_EMPTY', /no rows/);
    refuses('a,a,y\n1,2,3\n', 'DATASET_HEADER', /'a' appears twice/);
    refuses('a,y\n1,2\n3\n', 'DATASET_ROW', /line 3: expected 2 cells, found 1/);
    refuses('a,y\n1,2\nNA,3\n', 'DATASET_VALUE', /line 3: column 'a' is not a number \("NA"\)/);
    refuses('a,y\n1,\n', 'DATASET_VALUE', /line 2: column 'y'/);
    refuses('a,b\n1,2\n', 'DATASET_TARGET', /no target column 'y'/);
    refuses('y\n1\n', 'DATASET_HEADER', /no feature columns/);
  });

  it('subsets rows for hold-out splits', () => {
    const part = subsetRows(boston(), [505, 0]);
    assert.equal(part.n, 2);
    assert.equal(part.y[0], 11.9);
    assert.equal(part.x[13], 0.00632);
  });
});
