/**
 * For the services' fuzz tests. What hostile or careless clients send, as fast-check arbitraries and fixed texts:
 * number spellings JSON does not allow, bodies cut off mid-way, JSON objects with any text as values, nesting
 * deep enough to overflow a recursive parser, and header values of any byte Node can send. And what every answer
 * to a caller's mistake must be in this stack: a 4xx with a JSON `{"detail": string}`.
 */

import assert from 'node:assert/strict';
import fc from 'fast-check';

/**
 * Runs per property: `FUZZ_RUNS` from the environment, else `fallback`. The fallback keeps `npm test` quick;
 * `FUZZ_RUNS=100000 npm test -w apps/x` searches longer.
 */
export function fuzzRuns(fallback: number): { numRuns: number } {
  return { numRuns: Number(process.env.FUZZ_RUNS) || fallback };
}

/**
 * Number spellings as they appear in hand-written or hostile JSON: JavaScript's and other languages' forms that
 * JSON refuses (`NaN`, `0x10`, `.5`), values beyond a double (`1e999`, 30 digits), and the edges of one.
 */
export const numberSpellings: readonly string[] = [
  'NaN',
  'Infinity',
  '-Infinity',
  '1e999',
  '-1e999',
  '1e-999',
  '-0',
  '0x10',
  '1_000',
  '.5',
  '5.',
  '+1',
  '00600',
  '6e2',
  '1.7976931348623157e308',
  '5e-324',
  '12345678901234567890123456789',
  '4.0000000000000001',
];

/** A number's text in a JSON body: one of {@link numberSpellings}, any double (non-finite ones quoted), any bigint. */
export const numberText: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(...numberSpellings),
  fc.double().map((value) => (Number.isFinite(value) ? String(value) : JSON.stringify(String(value)))),
  fc.bigInt().map(String),
);

/** The text of a JSON object with some of `keys` (each at most once), each value any text `value` gives. */
export function objectText(
  keys: readonly string[],
  value: fc.Arbitrary<string>,
  maxKeys = 4,
): fc.Arbitrary<string> {
  return fc.dictionary(fc.constantFrom(...keys), value, { maxKeys }).map(
    (fields) =>
      `{${Object.entries(fields)
        .map(([key, text]) => `${JSON.stringify(key)}:${text}`)
        .join(',')}}`,
  );
}

/** `text` cut short anywhere, as a client that died mid-body sends it. */
export function truncated(text: fc.Arbitrary<string>): fc.Arbitrary<string> {
  return text.chain((whole) => fc.nat(whole.length).map((cut) => whole.slice(0, cut)));
}

/** `levels` nested JSON arrays: `[[[…]]]`. */
export function nestedArrays(levels: number): string {
  return `${'['.repeat(levels)}${']'.repeat(levels)}`;
}

/** `levels` nested JSON objects under `key`, with `leaf` innermost: `{"a":{"a":…1…}}`. */
export function nestedObjects(levels: number, key = 'a', leaf = '1'): string {
  return `${`{${JSON.stringify(key)}:`.repeat(levels)}${leaf}${'}'.repeat(levels)}`;
}

/** Any header value Node's client can send: Latin-1 without control characters (no CR, LF, NUL or DEL). */
export const headerValue: fc.Arbitrary<string> = fc.string({
  unit: fc
    .integer({ min: 0x20, max: 0xff })
    .filter((code) => code !== 0x7f)
    .map((code) => String.fromCharCode(code)),
  maxLength: 60,
});

/** The parts of an HTTP answer {@link assertCallerError} reads (a light-my-request response has them). */
export interface Answer {
  readonly statusCode: number;
  readonly headers: Readonly<Record<string, unknown>>;
  readonly body: string;
}

/**
 * Asserts that `answer` is how the stack answers a caller's mistake: a 4xx with a JSON `{"detail": string}`,
 * never a 5xx. `context` (the input) is shown, shortened, when it is not.
 */
export function assertCallerError(answer: Answer, context: string): void {
  const where = `${answer.statusCode} ${answer.body.slice(0, 200)} for ${context.slice(0, 200)}`;
  assert.ok(answer.statusCode >= 400 && answer.statusCode < 500, where);
  assert.match(String(answer.headers['content-type']), /^application\/json/, where);
  let detail: unknown;
  try {
    detail = (JSON.parse(answer.body) as { detail?: unknown }).detail;
  } catch {
    assert.fail(`not JSON: ${where}`);
  }
  assert.equal(typeof detail, 'string', where);
}
