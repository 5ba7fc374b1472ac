/**
 * Fuzzing `POST /admission`: whatever the body, the answer is 200 for a valid applicant and otherwise a 4xx
 * with a JSON `detail`, never a 5xx and never a hang; an invalid body never reaches the model service.
 * Bodies are bounded (the deepest nesting is 100,000 levels, the longest string 2 MB).
 */

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { toAdmissionRequest } from '@gateway-pattern/admission-api';
import {
  assertCallerError,
  fuzzRuns,
  nestedArrays,
  nestedObjects,
  numberText,
  objectText,
  truncated,
} from '@gateway-pattern/fuzzing';
import type { Service } from '@gateway-pattern/service-kit';
import fc from 'fast-check';
import { buildApp } from '../app.ts';
import { type ModelServiceStub, startModelServiceStub } from '../testing/model-service-stub.ts';

const runs = fuzzRuns(150);

let stub: ModelServiceStub;
let app: Service;

before(async () => {
  stub = await startModelServiceStub();
  app = buildApp({
    logLevel: false,
    appPrefix: 'Python Backend',
    modelServiceUrl: stub.url,
    upstreamTimeoutMs: 5000,
  });
});
after(async () => {
  await app.close();
  await stub.close();
});

async function post(payload: string, contentType: string | undefined = 'application/json') {
  const headers: Record<string, string> = contentType === undefined ? {} : { 'content-type': contentType };
  return app.inject({ method: 'POST', url: '/admission', headers, payload });
}

/** Values a valid field takes. */
const validBody = fc.record(
  {
    gre: fc.oneof(fc.integer({ min: 0, max: 800 }), fc.constant(null)),
    gpa: fc.oneof(fc.double({ min: 0, max: 4, noNaN: true }), fc.constant(null)),
    rank: fc.oneof(
      fc.constantFrom<1 | 2 | 3 | 4 | '1' | '2' | '3' | '4'>(1, 2, 3, 4, '1', '2', '3', '4'),
      fc.constant(null),
    ),
  },
  { requiredKeys: [] },
);

/** A body that has the admission fields, each with any text a client might put there. */
const fieldsText = objectText(
  ['gre', 'gpa', 'rank', 'GRE', '__proto__', 'constructor', 'x'],
  fc.oneof(
    numberText,
    fc.json({ maxDepth: 3 }),
    fc.constantFrom('"1"', '" 1"', '"\\u0031"', 'true', '[]', '{}', '600', '4.0', '1'),
  ),
);

/** Text that is JSON, almost JSON, or not at all. */
const bodyText = fc.oneof(
  fc.json({ maxDepth: 4 }),
  fieldsText,
  truncated(fieldsText),
  fc.string({ unit: 'binary', maxLength: 100 }),
);

describe('POST /admission fuzzing', () => {
  it('answers 200 for any valid body, relaying exactly its fields', async () => {
    await fc.assert(
      fc.asyncProperty(validBody, async (body) => {
        stub.received.length = 0;
        const res = await post(JSON.stringify(body));
        assert.equal(res.statusCode, 200, res.body);
        assert.deepEqual(JSON.parse(stub.received[0]?.body ?? 'null'), toAdmissionRequest(body));
      }),
      runs,
    );
  });

  it('answers anything else with a 4xx and a JSON detail, never calling the model service for it', async () => {
    await fc.assert(
      fc.asyncProperty(bodyText, async (text) => {
        stub.received.length = 0;
        const res = await post(text);
        if (res.statusCode === 200) {
          // Only a body the schema accepts gets through: check it was one.
          assert.equal(stub.received.length, 1);
          return;
        }
        assertCallerError(res, text);
        assert.equal(stub.received.length, 0, text);
      }),
      runs,
    );
  });

  it('answers other content types with a 4xx and a JSON detail', async () => {
    const contentType = fc.oneof(
      fc.constantFrom('text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x'),
      fc.constantFrom(
        'application/json; charset=latin1',
        'application/json; charset=utf-16',
        'application/jsonx',
      ),
      fc.string({ unit: 'grapheme-ascii', maxLength: 30 }),
    );
    await fc.assert(
      fc.asyncProperty(contentType, bodyText, async (type, text) => {
        const res = await post(text, type);
        if (res.statusCode !== 200) assertCallerError(res, `${type}: ${text}`);
      }),
      runs,
    );
  });

  it('answers deep nesting, long strings, huge numbers and oversized bodies with a 4xx and a JSON detail', async () => {
    const refused: Array<[string, string]> = [
      ['10,000 nested arrays', nestedArrays(10_000)],
      ['100,000 nested arrays', nestedArrays(100_000)],
      ['gre as 10,000 nested arrays', `{"gre": ${nestedArrays(10_000)}}`],
      ['gpa as 10,000 nested objects', `{"gpa": ${nestedObjects(10_000)}}`],
      ['a 500,000-character rank', `{"rank": "${'1'.repeat(500_000)}"}`],
      ['a 500,000-digit gre', `{"gre": ${'9'.repeat(500_000)}}`],
      ['a body over the 1 MiB limit', `{"x": "${'a'.repeat(2 * 1024 * 1024)}"}`],
      ['a prototype-poisoning body', '{"__proto__": {"gre": 600}}'],
      ['a constructor-prototype body', '{"gre": 600, "constructor": {"prototype": {"gpa": 5}}}'],
    ];
    for (const [name, text] of refused) {
      stub.received.length = 0;
      const res = await post(text);
      assertCallerError(res, name);
      assert.equal(stub.received.length, 0, name);
    }
    // Unknown fields are allowed (FastAPI ignores them too), however many or deep: relayed without them.
    const ignored: Array<[string, string]> = [
      ['10,000 nested objects in an unknown field', `{"gre": 600, "a": ${nestedObjects(10_000)}}`],
      [
        '10,000 unknown fields',
        `{"gre": 600, ${Array.from({ length: 10_000 }, (_, i) => `"f${i}":${i}`).join(',')}}`,
      ],
    ];
    for (const [name, text] of ignored) {
      stub.received.length = 0;
      const res = await post(text);
      assert.equal(res.statusCode, 200, name);
      assert.deepEqual(JSON.parse(stub.received[0]?.body ?? 'null'), { gre: 600 }, name);
    }
  });
});
