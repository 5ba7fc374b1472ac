/** Why a data file could not be turned into a data set. */
export type DatasetErrorCode =
  | 'DATASET_EMPTY'
  | 'DATASET_HEADER'
  | 'DATASET_ROW'
  | 'DATASET_VALUE'
  | 'DATASET_TARGET';

/** A data CSV is malformed: the message names the line and column so the file can be fixed by hand. */
export class DatasetError extends Error {
  readonly code: DatasetErrorCode;

  constructor(code: DatasetErrorCode, message: string) {
    super(message);
    this.name = 'DatasetError';
    this.code = code;
  }
}
