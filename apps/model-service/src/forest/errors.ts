/** Why training options were refused. */
export type TrainOptionsErrorCode = 'TRAIN_OPTION_INVALID';

/** A training option is out of range (ntree, mtry, node size, seed); the message names the option and the value. */
export class TrainOptionsError extends Error {
  readonly code: TrainOptionsErrorCode = 'TRAIN_OPTION_INVALID';
  readonly option: string;
  /** What is wrong, without the option's name (so a CLI can name its flag instead). */
  readonly reason: string;

  constructor(option: string, reason: string) {
    super(`${option}: ${reason}`);
    this.name = 'TrainOptionsError';
    this.option = option;
    this.reason = reason;
  }
}

/** Why a model artifact was refused. */
export type ArtifactErrorCode =
  | 'ARTIFACT_UNREADABLE'
  | 'ARTIFACT_NOT_JSON'
  | 'ARTIFACT_FORMAT'
  | 'ARTIFACT_VERSION'
  | 'ARTIFACT_INVALID'
  | 'ARTIFACT_FEATURES';

/**
 * A model artifact cannot be used: missing, not JSON, another format or version, structurally broken,
 * or trained on features other than the ones the service expects.
 */
export class ArtifactError extends Error {
  readonly code: ArtifactErrorCode;

  constructor(code: ArtifactErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = 'ArtifactError';
    this.code = code;
  }
}

/** Why a scoring request's records were refused. */
export type RecordsErrorCode =
  | 'RECORDS_SHAPE'
  | 'RECORDS_EMPTY'
  | 'RECORDS_TOO_MANY'
  | 'RECORD_NOT_OBJECT'
  | 'RECORD_MISSING'
  | 'RECORD_NOT_NUMBER';

/**
 * A scoring request's records do not fit the model. `row` (1-based, as R numbers rows) and `column` say where,
 * when the problem is in one cell.
 */
export class RecordsError extends Error {
  readonly code: RecordsErrorCode;
  readonly row: number | undefined;
  readonly column: string | undefined;

  constructor(code: RecordsErrorCode, message: string, where: { row?: number; column?: string } = {}) {
    super(message);
    this.name = 'RecordsError';
    this.code = code;
    this.row = where.row;
    this.column = where.column;
  }
}
