import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Value } from 'typebox/value';
import { AdmissionBody, RANK_LEVELS, toAdmissionRequest } from './request.ts';

/** The first error's place and message, as Ajv (and so both services' 422 details) report it. */
function firstError(body: unknown): string {
  const [error] = Value.Errors(AdmissionBody, body);
  return error === undefined ? 'valid' : `${error.instancePath} ${error.message}`;
}

describe('AdmissionBody', () => {
  it('accepts every field optional or null, rank as string or number, unknown fields', () => {
    for (const body of [
      null,
      {},
      { gre: 600, rank: '1' },
      { gre: 0, gpa: 0, rank: 4 },
      { gre: 800, gpa: 4, rank: '4' },
      { gre: null, gpa: null, rank: null },
      { gre: 600, name: 'x', admit: 1 },
    ]) {
      assert.equal(Value.Check(AdmissionBody, body), true, JSON.stringify(body));
    }
  });

  it('refuses out-of-range, fractional or mistyped fields and non-object bodies', () => {
    const cases: Array<[unknown, string]> = [
      [{ gre: 801 }, '/gre must be <= 800'],
      [{ gre: -1 }, '/gre must be >= 0'],
      [{ gre: 600.5 }, '/gre must be integer'],
      [{ gre: '600' }, '/gre must be integer'],
      [{ gre: Number.POSITIVE_INFINITY }, '/gre must be integer'],
      [{ gpa: 4.1 }, '/gpa must be <= 4'],
      [{ gpa: -0.1 }, '/gpa must be >= 0'],
      [{ gpa: true }, '/gpa must be number'],
      [{ rank: 5 }, '/rank must be equal to one of the allowed values'],
      [{ rank: '0' }, '/rank must be equal to one of the allowed values'],
      [{ rank: 1.5 }, '/rank must be equal to one of the allowed values'],
      [{ rank: ' 1' }, '/rank must be equal to one of the allowed values'],
      [[600], ' must be object'],
      ['gre', ' must be object'],
    ];
    for (const [body, error] of cases) assert.equal(firstError(body), error, JSON.stringify(body));
  });
});

describe('toAdmissionRequest', () => {
  it('keeps the given fields, drops nulls and unknown fields, and turns rank into its level', () => {
    assert.deepEqual(toAdmissionRequest({ gre: 700, gpa: 3.5, rank: 2, name: 'x' } as AdmissionBody), {
      gre: 700,
      gpa: 3.5,
      rank: '2',
    });
    assert.deepEqual(toAdmissionRequest({ gre: null, gpa: 3, rank: null }), { gpa: 3 });
    assert.deepEqual(toAdmissionRequest({ gre: 0, gpa: 0 }), { gre: 0, gpa: 0 });
    assert.deepEqual(toAdmissionRequest(null), {});
    assert.deepEqual(toAdmissionRequest(undefined), {});
  });

  it('gives every rank level, from either spelling', () => {
    for (const level of RANK_LEVELS) {
      assert.equal(toAdmissionRequest({ rank: level }).rank, level);
      assert.equal(toAdmissionRequest({ rank: Number(level) as 1 | 2 | 3 | 4 }).rank, level);
    }
  });
});
