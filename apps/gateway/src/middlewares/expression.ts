/**
 * The small Go-expression language of Traefik's `buffering.retryExpression` and `circuitBreaker.expression`
 * (vulcand/predicate, as oxy uses it): calls of known functions with number or string arguments, compared with
 * `==`, `!=`, `<`, `>`, `<=`, `>=`, combined with `&&` and `||` (Go precedence: `&&` binds tighter), and
 * parentheses. `!` is not part of it (oxy defines no NOT operator). Parsed once, at load; evaluating is a walk
 * over closures.
 */

/** A function the language knows: its argument kinds, and what it gives for a context. */
export type ExpressionFunction<C> =
  | {
      readonly args: readonly ('number' | 'string')[];
      readonly returns: 'value';
      readonly make: (args: readonly (number | string)[]) => (context: C) => number | string;
    }
  | {
      readonly args: readonly ('number' | 'string')[];
      readonly returns: 'predicate';
      readonly make: (args: readonly (number | string)[]) => (context: C) => boolean;
    };

/** Thrown for an expression that does not parse; the message says where. */
export class ExpressionError extends Error {}

type Token =
  | { kind: 'ident'; text: string }
  | { kind: 'number'; value: number }
  | { kind: 'string'; value: string }
  | { kind: 'op'; text: string }
  | { kind: 'end' };

function tokenize(input: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < input.length) {
    const rest = input.slice(i);
    const space = /^\s+/.exec(rest);
    if (space) {
      i += space[0].length;
      continue;
    }
    const ident = /^[A-Za-z_][A-Za-z0-9_]*/.exec(rest);
    if (ident) {
      tokens.push({ kind: 'ident', text: ident[0] });
      i += ident[0].length;
      continue;
    }
    const number = /^(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?/.exec(rest);
    if (number) {
      tokens.push({ kind: 'number', value: Number(number[0]) });
      i += number[0].length;
      continue;
    }
    const quoted = /^"((?:[^"\\\n]|\\.)*)"|^`([^`]*)`/.exec(rest);
    if (quoted) {
      const value = quoted[2] ?? JSON.parse(`"${quoted[1] ?? ''}"`);
      tokens.push({ kind: 'string', value });
      i += quoted[0].length;
      continue;
    }
    const op = /^(?:&&|\|\||==|!=|<=|>=|<|>|\(|\)|,|-|!)/.exec(rest);
    if (op) {
      tokens.push({ kind: 'op', text: op[0] });
      i += op[0].length;
      continue;
    }
    throw new ExpressionError(`unexpected "${rest[0]}" at position ${i + 1}`);
  }
  tokens.push({ kind: 'end' });
  return tokens;
}

type Node<C> =
  | { kind: 'value'; eval: (context: C) => number | string }
  | { kind: 'predicate'; eval: (context: C) => boolean };

const comparisons: Record<string, (a: number | string, b: number | string) => boolean> = {
  '==': (a, b) => a === b,
  '!=': (a, b) => a !== b,
  '<': (a, b) => a < b,
  '>': (a, b) => a > b,
  '<=': (a, b) => a <= b,
  '>=': (a, b) => a >= b,
};

/** Parses `input` into a predicate over a context, with `functions` as the only names. */
export function parseExpression<C>(
  input: string,
  functions: Readonly<Record<string, ExpressionFunction<C>>>,
): (context: C) => boolean {
  const tokens = tokenize(input);
  let position = 0;
  const peek = (): Token => tokens[position] ?? { kind: 'end' };
  const isOp = (text: string): boolean => {
    const token = peek();
    return token.kind === 'op' && token.text === text;
  };
  const expect = (text: string) => {
    if (!isOp(text)) throw new ExpressionError(`expected "${text}" in ${input}`);
    position++;
  };

  const predicate = (node: Node<C>, where: string): ((context: C) => boolean) => {
    if (node.kind !== 'predicate')
      throw new ExpressionError(`${where} needs a condition, got a value in ${input}`);
    return node.eval;
  };

  const operand = (): Node<C> => {
    const token = peek();
    position++;
    if (token.kind === 'number') return { kind: 'value', eval: () => token.value };
    if (token.kind === 'string') return { kind: 'value', eval: () => token.value };
    if (token.kind === 'op' && token.text === '-') {
      const next = peek();
      if (next.kind !== 'number') throw new ExpressionError(`expected a number after "-" in ${input}`);
      position++;
      return { kind: 'value', eval: () => -next.value };
    }
    if (token.kind === 'op' && token.text === '(') {
      const inner = or();
      expect(')');
      return inner;
    }
    if (token.kind === 'ident') {
      const fn = functions[token.text];
      if (fn === undefined) {
        throw new ExpressionError(
          `unsupported function: ${token.text} (known: ${Object.keys(functions).join(', ')})`,
        );
      }
      expect('(');
      const args: (number | string)[] = [];
      while (!isOp(')')) {
        const arg = operand();
        if (arg.kind !== 'value')
          throw new ExpressionError(`${token.text}: arguments must be literals in ${input}`);
        args.push(arg.eval(undefined as C));
        if (!isOp(')')) expect(',');
      }
      expect(')');
      if (args.length !== fn.args.length || args.some((arg, i) => typeof arg !== fn.args[i])) {
        throw new ExpressionError(
          `${token.text} takes ${fn.args.length} argument(s) (${fn.args.join(', ')}) in ${input}`,
        );
      }
      return fn.returns === 'value'
        ? { kind: 'value', eval: fn.make(args) }
        : { kind: 'predicate', eval: fn.make(args) };
    }
    if (token.kind === 'op' && token.text === '!')
      throw new ExpressionError(`"!" is not supported in ${input}`);
    throw new ExpressionError(
      `unexpected ${token.kind === 'end' ? 'end' : `"${token.kind === 'op' ? token.text : ''}"`} in ${input}`,
    );
  };

  const comparison = (): Node<C> => {
    const left = operand();
    const token = peek();
    if (token.kind !== 'op' || !(token.text in comparisons)) return left;
    position++;
    const right = operand();
    if (left.kind !== 'value' || right.kind !== 'value') {
      throw new ExpressionError(`"${token.text}" compares values, not conditions, in ${input}`);
    }
    const compare = comparisons[token.text] as (a: number | string, b: number | string) => boolean;
    const l = left.eval;
    const r = right.eval;
    return { kind: 'predicate', eval: (context) => compare(l(context), r(context)) };
  };

  const and = (): Node<C> => {
    let left = comparison();
    while (isOp('&&')) {
      position++;
      const a = predicate(left, '"&&"');
      const b = predicate(comparison(), '"&&"');
      left = { kind: 'predicate', eval: (context) => a(context) && b(context) };
    }
    return left;
  };

  const or = (): Node<C> => {
    let left = and();
    while (isOp('||')) {
      position++;
      const a = predicate(left, '"||"');
      const b = predicate(and(), '"||"');
      left = { kind: 'predicate', eval: (context) => a(context) || b(context) };
    }
    return left;
  };

  if (input.trim() === '') throw new ExpressionError('empty expression');
  const root = or();
  if (peek().kind !== 'end') throw new ExpressionError(`unexpected text after the expression in ${input}`);
  return predicate(root, 'the expression');
}
