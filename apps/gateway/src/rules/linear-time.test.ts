import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runBounded } from '../testing/bounded-child.ts';
import type { RequestParts } from './request.ts';
import type { RuleSyntax } from './types.ts';

/**
 * Each case runs in a child process killed at this bound. RE2 answers these in well under a millisecond;
 * the bound is generous so a busy machine (child start-up, type stripping) never makes the test flaky.
 */
const BOUND_MS = 10_000;

/**
 * `(a+)+` against `aaaa…!` makes a backtracking engine try every way of splitting the run of `a`s: about
 * 2^n steps. With n = 30 JavaScript's RegExp took about 6 s on a 2-core machine, too close to the bound to
 * fail for certain; with 40 it takes hours.
 */
const run = 'a'.repeat(40);

interface Case {
  readonly rule: string;
  readonly syntax?: RuleSyntax;
  readonly hostile: Partial<RequestParts>;
  /** A request the same rule matches, so the case shows the rule works and not only that it is fast. */
  readonly benign: Partial<RequestParts>;
}

const cases: readonly Case[] = [
  { rule: 'PathRegexp(`^/(a+)+$`)', hostile: { path: `/${run}!` }, benign: { path: `/${run}` } },
  { rule: 'HostRegexp(`^(a+)+$`)', hostile: { host: `${run}!` }, benign: { host: run } },
  {
    rule: 'HeaderRegexp(`X-Evil`, `^(a+)+$`)',
    hostile: { headers: { 'x-evil': [`${run}!`] } },
    benign: { headers: { 'x-evil': [run] } },
  },
  {
    rule: 'QueryRegexp(`q`, `^(a+)+$`)',
    hostile: { rawQuery: `q=${run}!` },
    benign: { rawQuery: `q=${run}` },
  },
  {
    rule: 'HeadersRegexp(`X-Evil`, `^(a+)+$`)',
    syntax: 'v2',
    hostile: { headers: { 'x-evil': [`${run}!`] } },
    benign: { headers: { 'x-evil': [run] } },
  },
  { rule: 'Path(`/{x:(a+)+}`)', syntax: 'v2', hostile: { path: `/${run}!` }, benign: { path: `/${run}` } },
  { rule: 'HostRegexp(`{x:(a+)+}`)', syntax: 'v2', hostile: { host: `${run}!` }, benign: { host: run } },
  {
    rule: 'Query(`q={v:(a+)+}`)',
    syntax: 'v2',
    hostile: { rawQuery: `q=${run}!` },
    benign: { rawQuery: `q=${run}` },
  },
];

/** Compiles `rule` and matches both requests in a child process; `undefined` when it was killed at the bound. */
async function matchInChild(testCase: Case): Promise<{ hostile: boolean; benign: boolean } | undefined> {
  const rules = new URL('./index.ts', import.meta.url).href;
  const testing = new URL('./testing.ts', import.meta.url).href;
  const source = `
    const { compileRule } = await import(${JSON.stringify(rules)});
    const { requestOf } = await import(${JSON.stringify(testing)});
    const matches = compileRule(${JSON.stringify(testCase.rule)}, ${JSON.stringify(testCase.syntax ?? 'v3')});
    const benign = matches(requestOf(${JSON.stringify(testCase.benign)}));
    const hostile = matches(requestOf(${JSON.stringify(testCase.hostile)}));
    process.stdout.write(JSON.stringify({ hostile, benign }));
  `;
  const result = await runBounded(source, BOUND_MS);
  if (!result.finished) return undefined;
  assert.equal(result.code, 0, result.stderr);
  return JSON.parse(result.stdout) as { hostile: boolean; benign: boolean };
}

describe('regexp matchers run in linear time on hostile input', { concurrency: 4 }, () => {
  for (const testCase of cases) {
    it(`${testCase.syntax ?? 'v3'} ${testCase.rule}`, async () => {
      const outcome = await matchInChild(testCase);
      assert.ok(outcome, `matching did not finish within ${BOUND_MS} ms: the regexp backtracks`);
      assert.deepEqual(outcome, { hostile: false, benign: true });
    });
  }
});
