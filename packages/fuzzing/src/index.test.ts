import assert from 'node:assert/strict';
import { validateHeaderValue } from 'node:http';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  assertCallerError,
  fuzzRuns,
  headerValue,
  nestedArrays,
  nestedObjects,
  numberSpellings,
  numberText,
  objectText,
  truncated,
} from './index.ts';

describe('hostile inputs', () => {
  it('numberSpellings are each refused by JSON.parse, or a number at an edge of doubles', () => {
    for (const text of numberSpellings) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        continue;
      }
      const value = parsed as number;
      const edge =
        Object.is(value, -0) ||
        Math.abs(value) >= 2 ** 53 ||
        (value !== 0 && Math.abs(value) < 2 ** -1022) ||
        String(value) !== text;
      assert.ok(edge, text);
    }
  });

  it('numberText is a spelling from the list or valid JSON (non-finite doubles as strings)', () => {
    fc.assert(
      fc.property(numberText, (text) => {
        if (!numberSpellings.includes(text)) assert.doesNotThrow(() => JSON.parse(text), text);
      }),
      { numRuns: 300 },
    );
  });

  it('objectText is a JSON object when its values are JSON', () => {
    fc.assert(
      fc.property(objectText(['a', 'b'], fc.json()), (text) => {
        const value = JSON.parse(text) as Record<string, unknown>;
        assert.ok(Object.keys(value).every((key) => key === 'a' || key === 'b'));
      }),
      { numRuns: 100 },
    );
  });

  it('truncated gives prefixes', () => {
    fc.assert(
      fc.property(
        fc.string().chain((text) => truncated(fc.constant(text)).map((cut) => [text, cut])),
        ([text, cut]) => {
          assert.ok(text?.startsWith(cut ?? ''));
        },
      ),
      { numRuns: 100 },
    );
  });

  it('nests as deep as asked', () => {
    assert.equal(nestedArrays(3), '[[[]]]');
    assert.equal(nestedObjects(2, 'k', 'null'), '{"k":{"k":null}}');
    assert.deepEqual(JSON.parse(nestedObjects(2)), { a: { a: 1 } });
  });

  it('headerValue is always a value Node can send', () => {
    fc.assert(
      fc.property(headerValue, (value) => {
        validateHeaderValue('x-test', value);
      }),
      { numRuns: 300 },
    );
  });

  it('fuzzRuns reads FUZZ_RUNS, else the fallback', () => {
    const saved = process.env.FUZZ_RUNS;
    try {
      delete process.env.FUZZ_RUNS;
      assert.deepEqual(fuzzRuns(7), { numRuns: 7 });
      process.env.FUZZ_RUNS = '1000';
      assert.deepEqual(fuzzRuns(7), { numRuns: 1000 });
      process.env.FUZZ_RUNS = 'many';
      assert.deepEqual(fuzzRuns(7), { numRuns: 7 });
    } finally {
      if (saved === undefined) delete process.env.FUZZ_RUNS;
      else process.env.FUZZ_RUNS = saved;
    }
  });

  it('assertCallerError passes a 4xx with a JSON detail and nothing else', () => {
    const json = { 'content-type': 'application/json; charset=utf-8' };
    assertCallerError({ statusCode: 422, headers: json, body: '{"detail":"gre must be integer"}' }, 'x');
    const refused = [
      { statusCode: 500, headers: json, body: '{"detail":"Internal Server Error"}' },
      { statusCode: 200, headers: json, body: '{"detail":"ok"}' },
      { statusCode: 400, headers: { 'content-type': 'text/plain' }, body: '{"detail":"x"}' },
      { statusCode: 400, headers: json, body: '{"error":"invalid_request"}' },
      { statusCode: 400, headers: json, body: 'Bad Request' },
    ];
    for (const answer of refused) assert.throws(() => assertCallerError(answer, 'x'), assert.AssertionError);
  });
});
