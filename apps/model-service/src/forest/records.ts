import { RecordsError } from './errors.ts';

/** The rows of a scoring request, read into a feature matrix. */
export interface RecordMatrix {
  rows: number;
  /** `rows × features.length` values row by row; a buffer the reader reuses, valid until its next `read`. */
  x: Float64Array;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') {
    const shown = value.length > 40 ? `${value.slice(0, 40)}…` : value;
    return `string ${JSON.stringify(shown)}`;
  }
  if (typeof value === 'number') return String(value);
  return typeof value;
}

/**
 * Reads scoring requests into a reused feature matrix, checking every cell by hand in one pass (a schema
 * validator run per row costs more than the forest itself on small requests).
 *
 * Accepted bodies: `{"df": [record, ...]}` (what plumber receives from `httr::POST(body = list(df = ...),
 * encode = "json")`) and a bare `[record, ...]` (RestRserve's shape). A record is an object with a JSON number
 * for every feature; other keys (such as the target `medv`) are ignored. Values must be JSON numbers: a numeric
 * string such as `"0.5"` is refused rather than converted, because it is a client bug that R itself would not
 * score correctly (its `data.matrix` turns a character column into factor codes). Rows are numbered from 1 in
 * errors, as R numbers them: `row 3: column 'rm' is missing`.
 */
export class RecordReader {
  readonly features: readonly string[];
  readonly maxRows: number;
  #buffer: Float64Array;

  constructor(features: readonly string[], maxRows: number) {
    if (!Number.isInteger(maxRows) || maxRows < 1)
      throw new RangeError(`maxRows must be a positive integer (got ${maxRows})`);
    this.features = features;
    this.maxRows = maxRows;
    this.#buffer = new Float64Array(features.length * 16);
  }

  /** Validates `body` and copies its rows into the reader's buffer; throws {@link RecordsError}. */
  read(body: unknown): RecordMatrix {
    const records = recordsOf(body);
    const rows = records.length;
    if (rows === 0)
      throw new RecordsError('RECORDS_EMPTY', 'no rows to score: the array of records is empty');
    if (rows > this.maxRows) {
      throw new RecordsError(
        'RECORDS_TOO_MANY',
        `too many rows: ${rows} (at most ${this.maxRows} per request)`,
      );
    }
    const { features } = this;
    const p = features.length;
    if (this.#buffer.length < rows * p)
      this.#buffer = new Float64Array(Math.max(rows * p, this.#buffer.length * 2));
    const x = this.#buffer;
    for (let r = 0; r < rows; r++) {
      const record = records[r];
      if (typeof record !== 'object' || record === null || Array.isArray(record)) {
        throw new RecordsError(
          'RECORD_NOT_OBJECT',
          `row ${r + 1}: expected an object of column values, got ${describe(record)}`,
          { row: r + 1 },
        );
      }
      const cells = record as Record<string, unknown>;
      for (let f = 0, offset = r * p; f < p; f++, offset++) {
        const column = features[f] as string;
        const value = cells[column];
        if (typeof value === 'number' && Number.isFinite(value)) {
          x[offset] = value;
          continue;
        }
        if (value === undefined) {
          throw new RecordsError('RECORD_MISSING', `row ${r + 1}: column '${column}' is missing`, {
            row: r + 1,
            column,
          });
        }
        throw new RecordsError(
          'RECORD_NOT_NUMBER',
          `row ${r + 1}: column '${column}' must be a finite number, got ${describe(value)}`,
          { row: r + 1, column },
        );
      }
    }
    return { rows, x };
  }
}

/** The records of either accepted body shape. */
function recordsOf(body: unknown): readonly unknown[] {
  if (Array.isArray(body)) return body;
  if (typeof body === 'object' && body !== null && 'df' in body) {
    const df = (body as { df: unknown }).df;
    if (Array.isArray(df)) return df;
    throw new RecordsError('RECORDS_SHAPE', `'df' must be an array of records, got ${describe(df)}`);
  }
  const got = typeof body === 'object' && body !== null ? "an object without a 'df' key" : describe(body);
  throw new RecordsError(
    'RECORDS_SHAPE',
    `expected a JSON array of records or an object {"df": [records]}, got ${got}`,
  );
}
