import type { AssertionMode } from '@gateway-pattern/identity-assertion';
import { errorResponse, HttpError, type Service } from '@gateway-pattern/service-kit';
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

/** What `GET /score/model` answers: {@link ModelInfo}, field for field. */
const ModelInfoSchema = Type.Object({
  target: Type.String({ description: 'The predicted column.' }),
  features: Type.Array(Type.String(), {
    description: 'The columns every record must have, in training order.',
  }),
  ntree: Type.Integer(),
  mtry: Type.Integer(),
  nodeSize: Type.Integer(),
  seed: Type.Integer(),
  oobMse: Type.Number({ description: "Out-of-bag mean squared error (R's `tail(fit$mse, 1)`)." }),
  percentVarianceExplained: Type.Number({ description: 'R\'s "% Var explained".' }),
  importance: Type.Record(Type.String(), Type.Number(), {
    description: 'IncNodePurity per feature, largest first.',
  }),
  nodes: Type.Integer({ description: 'Nodes over all trees.' }),
  data: Type.Object({ file: Type.String(), sha256: Type.String(), rows: Type.Integer() }),
  artifact: Type.Object({ format: Type.String(), version: Type.Integer() }),
});

/** The body of `POST /score` with the model's columns, for the document (the reader checks it, see below). */
function scoreBody(features: readonly string[], maxRows: number) {
  const record = Type.Object(Object.fromEntries(features.map((name) => [name, Type.Number()])), {
    description: 'One row: a JSON number for every feature; other keys (such as `medv`) are ignored.',
  });
  const records = Type.Array(record, { minItems: 1, maxItems: maxRows });
  return Type.Union([Type.Object({ df: records }), records], {
    description: 'plumber\'s `{"df": [records]}`, or a bare array of records.',
  });
}

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
  const maxRows = options.maxRows ?? DEFAULT_SCORE_MAX_ROWS;
  const reader = new RecordReader(model.features, maxRows);
  // From reading the body to copying the predictions out, a request runs without yielding to the event loop,
  // so one input matrix (inside the reader) and one output buffer serve every request.
  let predictions = new Float64Array(64);

  app.post(
    '/score',
    {
      config: { identityAssertion: SCORE_ASSERTION },
      bodyLimit: options.bodyLimit ?? DEFAULT_SCORE_BODY_LIMIT,
      schema: {
        summary: 'House prices (medv, in $1000s) for Boston records, one per row, in order',
        body: scoreBody(model.features, maxRows),
        response: {
          200: Type.Array(Type.Number(), { description: 'One prediction per record.' }),
          413: errorResponse('The body is over the limit.'),
        },
      },
      // The schema documents the body; RecordReader checks it, in one pass that names the row and column at fault
      // and costs less than a schema validator run per row.
      validatorCompiler: () => () => true,
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

  app.get(
    '/score/model',
    {
      config: { identityAssertion: SCORE_ASSERTION },
      schema: {
        summary: 'What the forest is and how good it is',
        response: { 200: ModelInfoSchema },
      },
    },
    async () => model.info,
  );
}
