/**
 * Router rule parser: text → expression tree. Precedence is Go's, as Traefik evaluates rules as Go
 * expressions: `!` binds tightest, then `&&`, then `||`, so `A || B && C` is `A || (B && C)`.
 */

import { type LexError, type Token, tokenize } from './lexer.ts';

/** A parsed rule. Matcher names are kept as written; {@link compileRule} resolves them per syntax. */
export type RuleExpression =
  | { readonly kind: 'call'; readonly name: string; readonly args: readonly string[] }
  // A chain `a && b && c` is one node, so a long chain costs no stack depth to build or to evaluate.
  | { readonly kind: 'and' | 'or'; readonly operands: readonly RuleExpression[] }
  | { readonly kind: 'not'; readonly operand: RuleExpression };

const identifier = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * How deeply parentheses and `!` may nest. Parsing, building and matching recurse once per level, so a
 * limit far above any real rule turns a pathological one into a clear error instead of a stack overflow.
 */
export const MAX_RULE_DEPTH = 1000;

/** Thrown by {@link parseRule} with the reason; the compiler adds the rule for context. */
export class ParseError extends Error {}

/** Parses `rule`; throws {@link ParseError} on any syntax error. */
export function parseRule(rule: string): RuleExpression {
  let tokens: Token[];
  try {
    tokens = tokenize(rule);
  } catch (error) {
    throw new ParseError((error as LexError).message);
  }
  return new Parser(tokens).parse();
}

class Parser {
  readonly #tokens: Token[];
  #index = 0;
  /** Open `(` and `!` around the current token. */
  #depth = 0;

  constructor(tokens: Token[]) {
    this.#tokens = tokens;
  }

  parse(): RuleExpression {
    if (this.#peek().kind === 'end') throw new ParseError('empty rule');
    const expression = this.#or();
    const next = this.#peek();
    if (next.kind !== 'end') throw this.#unexpected(next);
    return expression;
  }

  #or(): RuleExpression {
    const operands = [this.#and()];
    while (this.#peek().kind === '||') {
      this.#index++;
      operands.push(this.#and());
    }
    return operands.length === 1 ? (operands[0] as RuleExpression) : { kind: 'or', operands };
  }

  #and(): RuleExpression {
    const operands = [this.#unary()];
    while (this.#peek().kind === '&&') {
      this.#index++;
      operands.push(this.#unary());
    }
    return operands.length === 1 ? (operands[0] as RuleExpression) : { kind: 'and', operands };
  }

  #unary(): RuleExpression {
    const token = this.#next();
    if (token.kind === '!' || token.kind === '(') {
      if (++this.#depth > MAX_RULE_DEPTH) {
        throw new ParseError(`rule nested deeper than ${MAX_RULE_DEPTH} levels at offset ${token.offset}`);
      }
      const inner: RuleExpression = token.kind === '!' ? { kind: 'not', operand: this.#unary() } : this.#or();
      if (token.kind === '(') this.#expect(')');
      this.#depth--;
      return inner;
    }
    if (token.kind === 'word') {
      if (!identifier.test(token.value)) throw this.#unexpected(token);
      return this.#call(token.value);
    }
    throw this.#unexpected(token);
  }

  #call(name: string): RuleExpression {
    const open = this.#next();
    if (open.kind !== '(') {
      throw new ParseError(`${name} is not a matcher call: expected ( after it at offset ${open.offset}`);
    }
    const args: string[] = [];
    while (this.#peek().kind !== ')') {
      const arg = this.#next();
      if (arg.kind !== 'string') {
        throw new ParseError(
          arg.kind === 'word'
            ? `argument ${arg.value} of ${name} at offset ${arg.offset} is not quoted: use backticks or double quotes`
            : this.#unexpected(arg).message,
        );
      }
      args.push(arg.value);
      // Go allows a trailing comma before the closing parenthesis.
      if (this.#peek().kind === ',') this.#index++;
      else if (this.#peek().kind !== ')') throw this.#unexpected(this.#peek());
    }
    this.#index++;
    return { kind: 'call', name, args };
  }

  #peek(): Token {
    return this.#tokens[this.#index] as Token;
  }

  #next(): Token {
    const token = this.#peek();
    if (token.kind !== 'end') this.#index++;
    return token;
  }

  #expect(kind: Token['kind']): void {
    const token = this.#next();
    if (token.kind !== kind) throw this.#unexpected(token);
  }

  #unexpected(token: Token): ParseError {
    if (token.kind === 'end') return new ParseError('unexpected end of rule');
    const text = token.kind === 'word' ? token.value : token.kind === 'string' ? 'string' : token.kind;
    return new ParseError(`unexpected ${text} at offset ${token.offset}`);
  }
}
