import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseNumericCsv } from './csv.ts';
import { DatasetError } from './errors.ts';

function refuses(text: string, code: DatasetError['code'], message: RegExp): void {
  assert.throws(
    () => parseNumericCsv(text),
    (err: unknown) => err instanceof DatasetError && err.code === code && message.test(err.message),
  );
}

describe('parseNumericCsv', () => {
  it('reads named columns and the values row by row, as R writes numbers', () => {
    const table = parseNumericCsv('admit, gre ,gpa\r\n0,380,3.61\n1,+6.6e2,.5\n');
    assert.deepEqual(table.columns, ['admit', 'gre', 'gpa']);
    assert.equal(table.rows, 2);
    assert.deepEqual(Array.from(table.values), [0, 380, 3.61, 1, 660, 0.5]);
  });

  it('refuses what it would otherwise have to guess at, naming the line and column', () => {
    refuses('', 'DATASET_EMPTY', /^line 1: the file is empty/);
    refuses('a,b\n', 'DATASET_EMPTY', /no rows/);
    refuses('"a",b\n1,2\n', 'DATASET_HEADER', /quoted column names/);
    refuses('a,,b\n1,2,3\n', 'DATASET_HEADER', /^line 1: column 2 has no name$/);
    refuses('a,a\n1,2\n', 'DATASET_HEADER', /'a' appears twice/);
    refuses('a,b\n1,2,3\n', 'DATASET_ROW', /^line 2: expected 2 cells, found 3$/);
    for (const cell of ['NA', 'Inf', '0x10', '', '"1"', '1e']) {
      refuses(`a,b\n1,2\n3,${cell}\n`, 'DATASET_VALUE', /^line 3: column 'b' is not a number/);
    }
  });
});
