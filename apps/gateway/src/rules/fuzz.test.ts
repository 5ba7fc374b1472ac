/**
 * Property tests of the rule compiler and the routing view of a request: whatever the text, compiling a rule
 * either gives a matcher or throws the compiler's own error, and a compiled matcher never throws on a request.
 * Inputs are bounded in size, so a hang shows as a test that never ends rather than one that is merely slow.
 */

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fuzzRuns } from '@gateway-pattern/fuzzing';
import fc from 'fast-check';
import { RuleError } from '../errors.ts';
import { canonicalHost, compileRule, parseQuery, routingPath } from './index.ts';
import { MAX_RULE_DEPTH } from './parse.ts';
import { requestOf } from './testing.ts';
import type { Matcher, RoutingRequest, RuleSyntax } from './types.ts';

const runs = fuzzRuns(300);

/** Compiles `rule`; `undefined` when it is refused with a RuleError, anything else fails the property. */
function compileOrRefuse(rule: string, syntax: RuleSyntax): Matcher | undefined {
  try {
    return compileRule(rule, syntax);
  } catch (error) {
    assert.ok(error instanceof RuleError, `not a RuleError: ${String(error)}`);
    assert.equal(error.code, 'ERR_INVALID_RULE');
    return undefined;
  }
}

const syntax = fc.constantFrom<RuleSyntax>('v3', 'v2');

/** Go's interpreted string literal for `text` (code points as they are, the rest escaped as Go reads them). */
function goQuote(text: string): string {
  let out = '"';
  for (const char of text) {
    const code = char.codePointAt(0) as number;
    if (char === '"' || char === '\\') out += `\\${char}`;
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else out += char;
  }
  return `${out}"`;
}

/** A string literal for `text`, raw when it can be (no backtick, no carriage return), else interpreted. */
const literal = (text: string, raw: boolean): string =>
  raw && !text.includes('`') && !text.includes('\r') ? `\`${text}\`` : goQuote(text);

const matcherNames = [
  'Host',
  'HostRegexp',
  'Path',
  'PathPrefix',
  'PathRegexp',
  'Method',
  'Header',
  'HeaderRegexp',
  'Query',
  'QueryRegexp',
  'ClientIP',
  'Headers',
  'HeadersRegexp',
  'HostHeader',
  'host',
  'PATHPREFIX',
  'Nope',
];

/** Pieces of rule text, valid and not, for token soup. */
const token = fc.oneof(
  fc.constantFrom('(', ')', ',', '!', '&&', '||', '&', '|', ' ', '\t', '\n', "'", '`', '"', '\\'),
  fc.constantFrom(...matcherNames),
  fc.string({ unit: 'binary', maxLength: 12 }).chain((text) => fc.boolean().map((raw) => literal(text, raw))),
  fc.constantFrom('`^/(a+)+$`', '`(?=x)`', '`[`', '`/a`', '`10.0.0.0/8`', '"\\xff"', '"\\u00e9"', '"\\400"'),
);

/** A request with fields drawn from small pools, so that generated rules sometimes match. */
const request = fc
  .record({
    method: fc.constantFrom('GET', 'POST', 'get'),
    host: fc.constantFrom('a.com', 'B.com:8080', '', '[::1]:80', 'x.a.com'),
    path: fc.constantFrom('/', '/x', '/x/y', '/y', '/a%2Fb', '/caf%C3%A9'),
    rawQuery: fc.constantFrom('', 'q=1', 'q=1&q=2', 'q', 'a=%zz;b'),
    remoteAddr: fc.constantFrom('10.1.2.3', '::1', '::ffff:10.0.0.1', ''),
    headers: fc.dictionary(
      fc.constantFrom('x-a', 'x-b', 'host'),
      fc.array(fc.string({ maxLength: 6 }), { maxLength: 3 }),
    ),
  })
  .map((parts) => requestOf(parts));

/** A rule tree over matchers whose meaning is simple enough to evaluate here, to check the compiler against. */
type Tree =
  | { readonly kind: 'host' | 'path' | 'prefix' | 'method'; readonly value: string }
  | { readonly kind: 'header'; readonly name: string; readonly value: string }
  | { readonly kind: 'not'; readonly operand: Tree }
  | { readonly kind: 'and' | 'or'; readonly operands: readonly Tree[] };

const { tree } = fc.letrec<{ tree: Tree; leaf: Tree }>((tie) => ({
  leaf: fc.oneof(
    fc.record({ kind: fc.constant('host' as const), value: fc.constantFrom('a.com', 'b.com', 'c.com') }),
    fc.record({ kind: fc.constant('path' as const), value: fc.constantFrom('/', '/x', '/y') }),
    fc.record({ kind: fc.constant('prefix' as const), value: fc.constantFrom('/', '/x', '/x/') }),
    fc.record({ kind: fc.constant('method' as const), value: fc.constantFrom('GET', 'POST') }),
    fc.record({
      kind: fc.constant('header' as const),
      name: fc.constantFrom('X-A', 'x-b'),
      // Traefik refuses empty arguments, so values are never empty.
      value: fc.oneof(fc.constant('1'), fc.string({ unit: 'binary', minLength: 1, maxLength: 6 })),
    }),
  ),
  tree: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    tie('leaf'),
    fc.record({ kind: fc.constant('not' as const), operand: tie('tree') }),
    fc.record({
      kind: fc.constantFrom('and' as const, 'or' as const),
      operands: fc.array(tie('tree'), { minLength: 2, maxLength: 4 }),
    }),
  ),
}));

/** What the tree means for `req`, evaluated directly. */
function evaluate(node: Tree, req: RoutingRequest): boolean {
  switch (node.kind) {
    case 'host':
      return req.host === node.value;
    case 'path':
      return req.path === node.value;
    case 'prefix':
      return req.path.startsWith(node.value);
    case 'method':
      return req.method === node.value;
    case 'header':
      return req.header(node.name).includes(node.value);
    case 'not':
      return !evaluate(node.operand, req);
    case 'and':
      return node.operands.every((operand) => evaluate(operand, req));
    case 'or':
      return node.operands.some((operand) => evaluate(operand, req));
  }
}

const binding = { or: 0, and: 1, not: 2 } as const;

/**
 * Rule text for the tree, with parentheses only where Go's precedence needs them (or where `extra` says so),
 * so the parser's precedence is what is being checked.
 */
function render(node: Tree, choices: { raw: boolean; extra: boolean; space: string }, parent = -1): string {
  const lit = (text: string) => literal(text, choices.raw);
  let text: string;
  let level = 3;
  switch (node.kind) {
    case 'host':
      text = `Host(${lit(node.value)})`;
      break;
    case 'path':
      text = `Path(${lit(node.value)})`;
      break;
    case 'prefix':
      text = `PathPrefix(${lit(node.value)})`;
      break;
    case 'method':
      text = `Method(${lit(node.value)})`;
      break;
    case 'header':
      text = `Header(${lit(node.name)},${choices.space}${lit(node.value)})`;
      break;
    case 'not':
      level = binding.not;
      text = `!${render(node.operand, choices, level)}`;
      break;
    default: {
      level = binding[node.kind];
      const op = `${choices.space}${node.kind === 'and' ? '&&' : '||'}${choices.space}`;
      // Operands of the same operator need no parentheses: the chain is associative.
      text = node.operands.map((operand) => render(operand, choices, level)).join(op);
    }
  }
  return level < parent || (choices.extra && level < 3) ? `(${text})` : text;
}

describe('rule compiler fuzzing', () => {
  it('refuses random text with a RuleError, or compiles a matcher that never throws', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), syntax, request, (rule, ruleSyntax, req) => {
        const matches = compileOrRefuse(rule, ruleSyntax);
        if (matches) assert.equal(typeof matches(req), 'boolean');
      }),
      runs,
    );
  });

  it('refuses token soup with a RuleError, or compiles a matcher that never throws', () => {
    fc.assert(
      fc.property(fc.array(token, { maxLength: 40 }), syntax, request, (tokens, ruleSyntax, req) => {
        const matches = compileOrRefuse(tokens.join(''), ruleSyntax);
        if (matches) assert.equal(typeof matches(req), 'boolean');
      }),
      runs,
    );
  });

  it('refuses well-formed calls with random names and arguments with a RuleError, or matches without throwing', () => {
    // Regexp-like and template-like text, so the regexp and template compilers see more than plain strings.
    const argument = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 16 }),
      fc
        .array(
          fc.constantFrom(
            '(',
            ')',
            '?',
            'P<n>',
            '+',
            '*',
            '{',
            '}',
            ':',
            '[',
            ']',
            '^',
            '$',
            '\\',
            'a',
            '/',
            '.',
            '|',
            '=',
            '%',
          ),
          {
            maxLength: 16,
          },
        )
        .map((parts) => parts.join('')),
    );
    const call = fc
      .tuple(fc.constantFrom(...matcherNames), fc.array(argument, { maxLength: 3 }), fc.boolean())
      .map(([name, args, raw]) => `${name}(${args.map((arg) => literal(arg, raw)).join(', ')})`);
    const rule = fc
      .array(fc.tuple(call, fc.constantFrom(' && ', ' || ', ' && !')), { minLength: 1, maxLength: 4 })
      .map((parts) => parts.map(([text, op], i) => (i === 0 ? text : `${op}${text}`)).join(''));
    fc.assert(
      fc.property(rule, syntax, request, (text, ruleSyntax, req) => {
        const matches = compileOrRefuse(text, ruleSyntax);
        if (matches) assert.equal(typeof matches(req), 'boolean');
      }),
      runs,
    );
  });

  it('compiles well-formed rules to exactly what they mean (precedence, quoting, chains)', () => {
    const choices = fc.record({
      raw: fc.boolean(),
      extra: fc.boolean(),
      space: fc.constantFrom(' ', '', '\n\t'),
    });
    fc.assert(
      fc.property(tree, choices, fc.array(request, { minLength: 1, maxLength: 5 }), (node, how, reqs) => {
        const rule = render(node, how);
        const matches = compileRule(rule);
        for (const req of reqs) assert.equal(matches(req), evaluate(node, req), rule);
      }),
      runs,
    );
  });

  it('refuses nesting past the limit with a RuleError, and handles long chains and long literals', () => {
    const at = (depth: number) => `${'('.repeat(depth)}Host(\`a\`)${')'.repeat(depth)}`;
    assert.equal(compileRule(at(MAX_RULE_DEPTH))(requestOf({ host: 'a' })), true);
    for (const rule of [
      at(MAX_RULE_DEPTH + 1),
      at(10_000),
      `${'!'.repeat(10_000)}Host(\`a\`)`,
      '('.repeat(100_000),
      `Host(\`${'a'.repeat(100_000)}`,
      `Host("${'\\'.repeat(100_001)}")`,
    ]) {
      assert.equal(compileOrRefuse(rule, 'v3'), undefined, rule.slice(0, 40));
    }
    const chain = (op: string) => Array.from({ length: 100_000 }, (_, i) => `Host(\`h${i}\`)`).join(op);
    assert.equal(compileRule(chain(' || '))(requestOf({ host: 'h99999' })), true);
    assert.equal(compileRule(chain(' && '))(requestOf({ host: 'h0' })), false);
    assert.equal(compileRule(`PathPrefix(\`/${'a'.repeat(100_000)}\`)`)(requestOf({ path: '/a' })), false);
  });
});

describe('routing view fuzzing', () => {
  it('reads any path, host and query; a bad path is a BadRequestPathError, nothing else', () => {
    const pathText = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 100 }),
      fc
        .array(fc.oneof(fc.constantFrom('%', '%2', '%2F', '%zz', '%C3', '%A9', '%ff', '/', '..', '%25')), {
          maxLength: 30,
        })
        .map((parts) => `/${parts.join('')}`),
    );
    fc.assert(
      fc.property(pathText, fc.string({ unit: 'binary', maxLength: 100 }), (path, text) => {
        try {
          assert.equal(typeof routingPath(path), 'string');
        } catch (error) {
          assert.equal((error as { code?: unknown }).code, 'ERR_BAD_REQUEST_PATH', String(error));
        }
        assert.equal(typeof canonicalHost(text), 'string');
        for (const values of parseQuery(text).values()) assert.ok(values.length > 0);
      }),
      runs,
    );
  });
});
