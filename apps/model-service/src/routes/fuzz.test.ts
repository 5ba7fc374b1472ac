/**
 * Fuzzing `POST /admission` and `POST /score` with the real models: a valid body gets its predictions (finite
 * numbers), anything else a 4xx with a JSON `detail`, never a 5xx and never a hang. Bodies are bounded (the
 * deepest nesting is 100,000 levels, the largest body a few MB).
 */

import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import {
  assertCallerError,
  fuzzRuns,
  nestedArrays,
  nestedObjects,
  numberText,
  objectText,
  truncated,
} from '@gateway-pattern/fuzzing';
import fc from 'fast-check';
import { BOSTON_FEATURES } from '../forest/boston.ts';
import { testApp } from '../testing/app.ts';

const runs = fuzzRuns(150);

const app = testApp();
after(() => app.close());

async function post(url: string, payload: string, contentType = 'application/json') {
  return app.inject({ method: 'POST', url, headers: { 'content-type': contentType }, payload });
}

type Reply = Awaited<ReturnType<typeof post>>;

/** Either a 200 that `check` accepts, or a caller error. */
function assertAnswered(res: Reply, context: string, check: (body: unknown) => void): void {
  if (res.statusCode === 200) check(res.json());
  else assertCallerError(res, context);
}

/** Values a client might put in a field: odd numbers, any JSON, quoted numbers. */
const fieldText = fc.oneof(numberText, fc.json({ maxDepth: 2 }), fc.constantFrom('"0.5"', 'null', 'true'));

const prediction = (body: unknown) => {
  const { result, probability } = body as { result: unknown; probability: unknown };
  assert.equal(typeof result, 'boolean');
  assert.ok(typeof probability === 'number' && probability >= 0 && probability <= 1, String(probability));
};

const predictions = (rows: number) => (body: unknown) => {
  assert.ok(Array.isArray(body) && body.length === rows, JSON.stringify(body).slice(0, 200));
  for (const value of body) assert.ok(typeof value === 'number' && Number.isFinite(value), String(value));
};

/** Any finite double a record may carry, the extremes included. */
const finite = fc.oneof(
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constantFrom(0, -0, 5e-324, 1.7976931348623157e308, -1.7976931348623157e308),
);

const record = fc
  .tuple(...BOSTON_FEATURES.map(() => finite))
  .map((values) => Object.fromEntries(BOSTON_FEATURES.map((name, i) => [name, values[i]])));

describe('POST /admission fuzzing', () => {
  const admissionKeys = ['gre', 'gpa', 'rank', '__proto__', 'constructor', 'other'];

  it('predicts for any valid applicant', async () => {
    const applicant = fc.record(
      {
        gre: fc.integer({ min: 0, max: 800 }),
        gpa: fc.double({ min: 0, max: 4, noNaN: true }),
        rank: fc.constantFrom(1, 2, 3, 4, '1', '2', '3', '4'),
      },
      { requiredKeys: [] },
    );
    await fc.assert(
      fc.asyncProperty(applicant, async (body) => {
        const res = await post('/admission', JSON.stringify(body));
        assert.equal(res.statusCode, 200, res.body);
        prediction(res.json());
      }),
      runs,
    );
  });

  it('answers any other body with a prediction or a 4xx and a JSON detail', async () => {
    const text = fc.oneof(
      objectText(admissionKeys, fieldText),
      truncated(objectText(admissionKeys, fieldText)),
      fc.json({ maxDepth: 4 }),
      fc.string({ unit: 'binary', maxLength: 100 }),
    );
    await fc.assert(
      fc.asyncProperty(text, async (body) =>
        assertAnswered(await post('/admission', body), body, prediction),
      ),
      runs,
    );
  });
});

describe('POST /score fuzzing', () => {
  it('predicts a finite value for every row of valid records, whatever finite numbers they hold', async () => {
    const body = fc.tuple(fc.array(record, { minLength: 1, maxLength: 20 }), fc.boolean());
    await fc.assert(
      fc.asyncProperty(body, async ([records, plumber]) => {
        const res = await post('/score', JSON.stringify(plumber ? { df: records } : records));
        assert.equal(res.statusCode, 200, res.body.slice(0, 200));
        predictions(records.length)(res.json());
      }),
      runs,
    );
  });

  it('answers damaged records with predictions or a 4xx and a JSON detail', async () => {
    // A valid record with one column's text replaced, dropped or duplicated, in a body of either shape.
    const damaged = fc
      .tuple(
        fc.array(record, { minLength: 1, maxLength: 5 }),
        fc.nat(),
        fc.constantFrom(...BOSTON_FEATURES),
        fc.option(fieldText),
        fc.boolean(),
      )
      .map(([records, at, column, replacement, plumber]) => {
        const rows = records.map((row) => JSON.stringify(row));
        const i = at % rows.length;
        const cells = Object.entries(records[i] as Record<string, number>)
          .filter(([name]) => replacement !== null || name !== column)
          .map(
            ([name, value]) =>
              `${JSON.stringify(name)}:${name === column ? replacement : JSON.stringify(value)}`,
          );
        rows[i] = `{${cells.join(',')}}`;
        return plumber ? `{"df":[${rows.join(',')}]}` : `[${rows.join(',')}]`;
      });
    const text = fc.oneof(
      damaged,
      truncated(damaged),
      objectText(['df', 'DF', 'data'], fieldText, 2),
      fc.json({ maxDepth: 4 }),
      fc.string({ unit: 'binary', maxLength: 100 }),
    );
    await fc.assert(
      fc.asyncProperty(text, async (body) => {
        const res = await post('/score', body);
        assertAnswered(res, body, (answer) => assert.ok(Array.isArray(answer)));
      }),
      runs,
    );
  });
});

describe('hostile bodies', () => {
  const row = JSON.stringify(Object.fromEntries(BOSTON_FEATURES.map((name) => [name, 1])));

  it('answers deep nesting, long strings, huge numbers and oversized bodies with a 4xx and a JSON detail', async () => {
    const cases: Array<[string, string, string]> = [
      ['/admission', '10,000 nested arrays', nestedArrays(10_000)],
      ['/admission', '100,000 nested arrays', nestedArrays(100_000)],
      ['/admission', 'gpa as 10,000 nested objects', `{"gpa": ${nestedObjects(10_000)}}`],
      ['/admission', 'a 500,000-digit gre', `{"gre": ${'9'.repeat(500_000)}}`],
      ['/admission', 'a 500,000-character rank', `{"rank": "${'1'.repeat(500_000)}"}`],
      ['/admission', 'a prototype-poisoning body', '{"__proto__": {"gre": 600}}'],
      ['/score', '10,000 nested arrays', nestedArrays(10_000)],
      ['/score', 'df as 100,000 nested arrays', `{"df": ${nestedArrays(100_000)}}`],
      ['/score', 'a row of 10,000 nested objects', `[${nestedObjects(10_000, 'crim')}]`],
      ['/score', 'a 500,000-digit crim', `[${row.replace('"crim":1', `"crim":${'9'.repeat(500_000)}`)}]`],
      ['/score', 'a 1e999 crim', `[${row.replace('"crim":1', '"crim":1e999')}]`],
      ['/score', '10,001 rows (over the limit)', `[${Array(10_001).fill(row).join(',')}]`],
      ['/score', 'a body over the 4 MiB limit', `[${Array(40_000).fill(row).join(',')}]`],
      ['/score', 'an empty array', '[]'],
    ];
    for (const [url, name, text] of cases) assertCallerError(await post(url, text), `${url}: ${name}`);
  });
});
