import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createService, type Service } from '@gateway-pattern/service-kit';
import { artifactData, toArtifact } from '../forest/artifact.ts';
import { BOSTON_FEATURES } from '../forest/boston.ts';
import { type ScoringModel, scoringModel } from '../forest/model.ts';
import { predictRows } from '../forest/predict.ts';
import { BOSTON_CSV, boston, bostonRecords } from '../forest/testing.ts';
import { trainForest } from '../forest/train.ts';
import { scoreRoutes } from './score.ts';

const SHA = 'b9f88f3463a208dadd78546f0fb9ddacfa4897b4c92dd1b8269734f000fe377c';
const model: ScoringModel = scoringModel(
  toArtifact(trainForest(boston(), { ntree: 10, seed: 4 }), artifactData(BOSTON_CSV, SHA, 506)),
);

function app(options: { maxRows?: number; bodyLimit?: number } = {}): Service {
  const service = createService({ name: 'score-test', logLevel: false });
  service.register(scoreRoutes, { model, ...options });
  return service;
}

/** What the forest predicts for the first `rows` Boston rows, computed directly. */
function expected(rows: number): number[] {
  const out = new Float64Array(rows);
  predictRows(model.forest, boston().x, rows, out);
  return Array.from(out);
}

async function score(payload: unknown, service = app()) {
  const res = await service.inject({ method: 'POST', url: '/score', payload: payload as object });
  return { status: res.statusCode, body: res.json() as unknown };
}

async function detailOf(payload: unknown, service = app()): Promise<string> {
  const { status, body } = await score(payload, service);
  assert.equal(status, 422, `expected 422, got ${status}: ${JSON.stringify(body)}`);
  return (body as { detail: string }).detail;
}

describe('POST /score', () => {
  it("answers plumber's {df: [records]} with one prediction per row, in order", async () => {
    const { status, body } = await score({ df: bostonRecords(10) });
    assert.equal(status, 200);
    assert.deepEqual(body, expected(10));
  });

  it("answers RestRserve's bare array of records the same way", async () => {
    assert.deepEqual((await score(bostonRecords(10))).body, expected(10));
  });

  it('ignores extra columns such as medv and key order', async () => {
    const records = bostonRecords(3).map((record) => {
      const shuffled: Record<string, unknown> = { note: 'from R', medv: 0 };
      for (const name of [...BOSTON_FEATURES].reverse()) shuffled[name] = record[name];
      return shuffled;
    });
    assert.deepEqual((await score(records)).body, expected(3));
  });

  it('scores one row and all 506 rows', async () => {
    assert.deepEqual((await score([bostonRecords(1)[0]])).body, expected(1));
    assert.deepEqual((await score({ df: bostonRecords(506) })).body, expected(506));
  });

  it('names the row (from 1) and column of a missing value', async () => {
    const records = bostonRecords(5);
    delete (records[2] as Record<string, number>).rm;
    assert.equal(await detailOf({ df: records }), "row 3: column 'rm' is missing");
  });

  it('refuses non-numeric values, numeric strings included', async () => {
    const cases: [unknown, RegExp][] = [
      ['0.5', /^row 2: column 'nox' must be a finite number, got string "0\.5"$/],
      [null, /^row 2: column 'nox' must be a finite number, got null$/],
      [true, /got boolean$/],
      [[0.5], /got an array$/],
    ];
    for (const [value, message] of cases) {
      const records: Record<string, unknown>[] = bostonRecords(2);
      (records[1] as Record<string, unknown>).nox = value;
      assert.match(await detailOf(records), message);
    }
  });

  it('refuses a number JSON cannot hold as a double', async () => {
    const res = await app().inject({
      method: 'POST',
      url: '/score',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify(bostonRecords(1)).replace('"crim":0.00632', '"crim":1e999'),
    });
    assert.equal(res.statusCode, 422);
    assert.match(
      res.json<{ detail: string }>().detail,
      /row 1: column 'crim' must be a finite number, got Infinity/,
    );
  });

  it('refuses rows that are not objects', async () => {
    assert.equal(
      await detailOf([bostonRecords(1)[0], 7]),
      'row 2: expected an object of column values, got 7',
    );
    assert.equal(await detailOf({ df: [null] }), 'row 1: expected an object of column values, got null');
  });

  it('refuses an empty array and bodies of the wrong shape', async () => {
    assert.match(await detailOf([]), /no rows to score/);
    assert.match(await detailOf({ df: [] }), /no rows to score/);
    assert.match(await detailOf({ df: 'rows' }), /'df' must be an array of records, got string "rows"/);
    assert.match(await detailOf({ rows: [] }), /got an object without a 'df' key/);
    assert.match(
      await detailOf(42),
      /expected a JSON array of records or an object \{"df": \[records\]\}, got 42/,
    );
  });

  it('refuses more rows than the configured limit', async () => {
    const limited = app({ maxRows: 3 });
    assert.equal((await score(bostonRecords(3), limited)).status, 200);
    assert.equal(await detailOf(bostonRecords(4), limited), 'too many rows: 4 (at most 3 per request)');
  });

  it('answers 413 to a body over the limit', async () => {
    const res = await app({ bodyLimit: 1024 }).inject({
      method: 'POST',
      url: '/score',
      payload: bostonRecords(20),
    });
    assert.equal(res.statusCode, 413);
    assert.equal(typeof res.json<{ detail: string }>().detail, 'string');
  });

  it('keeps answering correctly after refusing a request (no state leaks between requests)', async () => {
    const service = app();
    const broken = bostonRecords(50);
    delete (broken[40] as Record<string, number>).lstat;
    assert.equal((await score(broken, service)).status, 422);
    assert.deepEqual((await score(bostonRecords(2), service)).body, expected(2));
  });
});

describe('GET /score/model', () => {
  it('describes the forest: options, OOB figures, importance, data hash, artifact version', async () => {
    const res = await app().inject('/score/model');
    assert.equal(res.statusCode, 200);
    const info = res.json<Record<string, unknown>>();
    assert.equal(info.ntree, 10);
    assert.equal(info.mtry, 4);
    assert.equal(info.nodeSize, 5);
    assert.equal(info.seed, 4);
    assert.equal(info.target, 'medv');
    assert.deepEqual(info.features, BOSTON_FEATURES);
    assert.equal(typeof info.oobMse, 'number');
    assert.ok(
      (info.percentVarianceExplained as number) > 50 && (info.percentVarianceExplained as number) < 100,
    );
    const importance = info.importance as Record<string, number>;
    assert.deepEqual(new Set(Object.keys(importance)), new Set(BOSTON_FEATURES));
    const values = Object.values(importance);
    assert.deepEqual(
      values,
      [...values].sort((a, b) => b - a),
      'largest first',
    );
    assert.deepEqual(info.data, { file: 'boston.csv', sha256: SHA, rows: 506 });
    assert.deepEqual(info.artifact, { format: 'gateway-pattern/random-forest-regression', version: 1 });
  });
});
