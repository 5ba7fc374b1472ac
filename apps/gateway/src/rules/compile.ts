/** Rule text → matcher: parse, resolve each matcher name for the router's syntax, build the predicate tree. */

import { RuleError } from '../errors.ts';
import type { MatcherError, MatcherFactory } from './matchers/table.ts';
import { v2Matchers } from './matchers/v2.ts';
import { v3Matchers } from './matchers/v3.ts';
import { type ParseError, parseRule, type RuleExpression } from './parse.ts';
import type { Matcher, RuleSyntax } from './types.ts';

/**
 * Each matcher answers to exactly four spellings: as declared (`PathPrefix`), lower case, upper case and
 * Title case (`Pathprefix`), as Traefik's parser registers them. Other mixes are unknown matchers.
 */
function spellings(matchers: Readonly<Record<string, MatcherFactory>>): ReadonlyMap<string, MatcherFactory> {
  const byName = new Map<string, MatcherFactory>();
  for (const [name, factory] of Object.entries(matchers)) {
    const lower = name.toLowerCase();
    for (const spelling of [name, lower, name.toUpperCase(), lower[0]?.toUpperCase() + lower.slice(1)]) {
      byName.set(spelling, factory);
    }
  }
  return byName;
}

const matchersBySyntax: Readonly<Record<RuleSyntax, ReadonlyMap<string, MatcherFactory>>> = {
  v3: spellings(v3Matchers),
  v2: spellings(v2Matchers),
};

/**
 * Compiles `rule` for `syntax` into a predicate. Throws {@link RuleError} (code `ERR_INVALID_RULE`) for a
 * syntax error, an unknown matcher, wrong arguments or an invalid regexp; the router is then disabled.
 */
export function compileRule(rule: string, syntax: RuleSyntax = 'v3'): Matcher {
  let expression: RuleExpression;
  try {
    expression = parseRule(rule);
  } catch (error) {
    throw new RuleError(rule, (error as ParseError).message);
  }
  try {
    return build(expression, matchersBySyntax[syntax]);
  } catch (error) {
    if (error instanceof RuleError) throw error;
    throw new RuleError(rule, (error as MatcherError).message);
  }
}

function build(expression: RuleExpression, matchers: ReadonlyMap<string, MatcherFactory>): Matcher {
  switch (expression.kind) {
    case 'call': {
      const factory = matchers.get(expression.name);
      if (factory === undefined) throw new Error(`unsupported function: ${expression.name}`);
      const empty = expression.args.indexOf('');
      if (expression.args.length === 0 || empty !== -1) {
        throw new Error(`empty args for matcher ${expression.name}, [${expression.args.join(' ')}]`);
      }
      return factory(expression.args);
    }
    case 'not': {
      const operand = build(expression.operand, matchers);
      return (request) => !operand(request);
    }
    case 'and': {
      const operands = expression.operands.map((operand) => build(operand, matchers));
      return (request) => {
        for (const matches of operands) if (!matches(request)) return false;
        return true;
      };
    }
    case 'or': {
      const operands = expression.operands.map((operand) => build(operand, matchers));
      return (request) => {
        for (const matches of operands) if (matches(request)) return true;
        return false;
      };
    }
  }
}

/** Traefik's default router priority: the rule's length in bytes (`Host(\`example.org\`)` → 19). */
export function defaultPriority(rule: string): number {
  return Buffer.byteLength(rule, 'utf8');
}
