import type { AssertionMode } from '@gateway-pattern/identity-assertion';
import { HttpError, type Service } from '@gateway-pattern/service-kit';
import { Type } from 'typebox';
import { RecordsError } from '../forest/errors.ts';
import type { ScoringModel } from '../forest/model.ts';
import { predictRows } from '../forest/predict.ts';
import { type RecordMatrix, RecordReader } from '../forest/records.ts';

/** Default most rows one `POST /score` may carry (`SCORE_MAX_ROWS`). */
export const DEFAULT_SCORE_MAX_ROWS = 10_000;

/**
 * Default largest `POST /score` body. A Boston record is about 150 bytes of JSON, so 10,000 rows need ~1.5 MB;
 * 4 MiB leaves room for longer numbers and extra columns while still bounding what one request can make us parse.
 */
export const DEFAULT_SCORE_BODY_LIMIT = 4 * 1024 * 1024;

/**
 * The gateway serves scoring at `/bos-rf` behind basicAuth, which has no identity to sign, so these routes take an
 * identity assertion when one comes (through `/rbackend`, forwardAuth) and are served without one otherwise.
 */
const SCORE_ASSERTION: AssertionMode = 'optional';

/** Options of {@link scoreRoutes}. */
export interface ScoreRoutesOptions {
  /** The loaded forest (see `forest/model.ts`). */
  model: ScoringModel;
  /** Most rows per request; more → 422. Default {@link DEFAULT_SCORE_MAX_ROWS}. */
  maxRows?: number;
  /** Largest request body in bytes; larger → 413. Default {@link DEFAULT_SCORE_BODY_LIMIT}. */
  bodyLimit?: number;
}

/**
 * `POST /score`: `{"df": [records]}` or `[records]` → a JSON array with one prediction per record, in order
 * (the walkthrough's plumber endpoint). Bad records → 422 naming the row and column.
 * `GET /score/model`: what the forest is and how good it is (ntree, mtry, node size, OOB error, importance, data hash).
 */
export async function scoreRoutes(app: Service, options: ScoreRoutesOptions): Promise<void> {
  const { model } = options;
  const reader = new RecordReader(model.features, options.maxRows ?? DEFAULT_SCORE_MAX_ROWS);
  // From reading the body to copying the predictions out, a request runs without yielding to the event loop,
  // so one input matrix (inside the reader) and one output buffer serve every request.
  let predictions = new Float64Array(64);

  app.post(
    '/score',
    {
      config: { identityAssertion: SCORE_ASSERTION },
      bodyLimit: options.bodyLimit ?? DEFAULT_SCORE_BODY_LIMIT,
      schema: { response: { 200: Type.Array(Type.Number()) } },
    },
    async (request) => {
      let matrix: RecordMatrix;
      try {
        matrix = reader.read(request.body);
      } catch (err) {
        if (err instanceof RecordsError) throw new HttpError(422, err.message, { code: err.code });
        throw err;
      }
      if (predictions.length < matrix.rows) {
        predictions = new Float64Array(Math.max(matrix.rows, predictions.length * 2));
      }
      predictRows(model.forest, matrix.x, matrix.rows, predictions);
      return Array.from(predictions.subarray(0, matrix.rows));
    },
  );

  app.get('/score/model', { config: { identityAssertion: SCORE_ASSERTION } }, async () => model.info);
}
