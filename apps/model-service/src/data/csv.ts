import { DatasetError } from './errors.ts';

/** A CSV of numbers: named columns and the values row by row (`values[row * columns.length + column]`). */
export interface NumericTable {
  columns: string[];
  rows: number;
  values: Float64Array;
}

// A plain decimal number as R's write.csv prints one. NA, Inf, hex and blank cells are refused, not guessed at.
const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * Parses a CSV whose header names the columns and whose every other cell is a number (LF or CRLF line ends,
 * one optional final newline). Strict on purpose: a training set with a ragged row, a quoted cell or an `NA` is
 * refused with the line and column named, because silently reading it would train a different model.
 */
export function parseNumericCsv(text: string): NumericTable {
  const lines = text.split(/\r?\n/);
  if (lines.at(-1) === '') lines.pop();
  const headerLine = lines[0];
  if (headerLine === undefined || headerLine.trim() === '') {
    throw new DatasetError('DATASET_EMPTY', 'line 1: the file is empty; expected a header of column names');
  }
  if (headerLine.includes('"')) {
    throw new DatasetError('DATASET_HEADER', 'line 1: quoted column names are not supported');
  }
  const columns = headerLine.split(',').map((name) => name.trim());
  const seen = new Set<string>();
  for (const [i, name] of columns.entries()) {
    if (name === '') throw new DatasetError('DATASET_HEADER', `line 1: column ${i + 1} has no name`);
    if (seen.has(name)) throw new DatasetError('DATASET_HEADER', `line 1: column '${name}' appears twice`);
    seen.add(name);
  }
  const rows = lines.length - 1;
  if (rows === 0) throw new DatasetError('DATASET_EMPTY', 'the file has a header but no rows');
  const width = columns.length;
  const values = new Float64Array(rows * width);
  for (let r = 0; r < rows; r++) {
    const lineNo = r + 2;
    const cells = (lines[r + 1] as string).split(',');
    if (cells.length !== width) {
      throw new DatasetError('DATASET_ROW', `line ${lineNo}: expected ${width} cells, found ${cells.length}`);
    }
    for (let c = 0; c < width; c++) {
      const cell = (cells[c] as string).trim();
      if (!NUMBER.test(cell)) {
        throw new DatasetError(
          'DATASET_VALUE',
          `line ${lineNo}: column '${columns[c]}' is not a number (${JSON.stringify(cell)})`,
        );
      }
      values[r * width + c] = Number(cell);
    }
  }
  return { columns, rows, values };
}
