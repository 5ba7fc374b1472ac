/**
 * The Go `text/template` subset that Traefik's file provider renders every dynamic file with, before parsing it
 * as YAML: actions `{{ ... }}` with pipelines (`|`), parentheses, string and number literals, `{{- -}}` trimming,
 * template comments, and a few sprig functions: `env`, `default`, `quote`, `lower`, `upper`, `trim`,
 * `trimPrefix`, `trimSuffix`. Anything else (an unknown function, `.`, `if`/`range`) is an error naming the file,
 * as Go reports it: `template: <file>:<line>: function "x" not defined`.
 */

/** A template could not be parsed or rendered; the message names the file and line as Go does. */
export class TemplateError extends Error {
  readonly code = 'ERR_TEMPLATE';
}

/** Values a template can see. */
export interface TemplateContext {
  /** Name used in error messages (the file path). */
  readonly name: string;
  /** What `env` reads. */
  readonly env: Readonly<Record<string, string | undefined>>;
}

type Fn = (context: TemplateContext, args: string[]) => string;

const isEmpty = (value: string | undefined): boolean => value === undefined || value === '';

// Sprig semantics: the piped value is the last argument.
const functions: Readonly<Record<string, { arity: [number, number]; fn: Fn }>> = {
  env: { arity: [1, 1], fn: (ctx, [name]) => ctx.env[name ?? ''] ?? '' },
  default: {
    arity: [1, 2],
    fn: (_ctx, [fallback, value]) => (isEmpty(value) ? (fallback ?? '') : (value ?? '')),
  },
  quote: { arity: [1, 1], fn: (_ctx, [value]) => JSON.stringify(value ?? '') },
  lower: { arity: [1, 1], fn: (_ctx, [value]) => (value ?? '').toLowerCase() },
  upper: { arity: [1, 1], fn: (_ctx, [value]) => (value ?? '').toUpperCase() },
  trim: { arity: [1, 1], fn: (_ctx, [value]) => (value ?? '').trim() },
  trimPrefix: {
    arity: [2, 2],
    fn: (_ctx, [prefix = '', value = '']) => (value.startsWith(prefix) ? value.slice(prefix.length) : value),
  },
  trimSuffix: {
    arity: [2, 2],
    fn: (_ctx, [suffix = '', value = '']) =>
      suffix !== '' && value.endsWith(suffix) ? value.slice(0, -suffix.length) : value,
  },
};

/** Renders `text` as a Go template. Throws {@link TemplateError} with the file name and line. */
export function renderTemplate(text: string, context: TemplateContext): string {
  if (!text.includes('{{')) return text;
  let out = '';
  let position = 0;
  while (position < text.length) {
    const open = text.indexOf('{{', position);
    if (open === -1) {
      out += text.slice(position);
      break;
    }
    let literal = text.slice(position, open);
    let start = open + 2;
    if (text.startsWith('- ', start) || text.startsWith('-\t', start) || text.startsWith('-\n', start)) {
      literal = literal.trimEnd();
      start += 1;
    }
    out += literal;
    const close = findClose(text, start, context, lineOf(text, open));
    let end = close;
    let trimAfter = false;
    if (/\s-$/.test(text.slice(start, close))) {
      end = close - 1;
      trimAfter = true;
    }
    out += evaluateAction(text.slice(start, end), context, lineOf(text, open));
    position = close + 2;
    if (trimAfter) {
      while (position < text.length && /\s/.test(text[position] ?? '')) position++;
    }
  }
  return out;
}

function lineOf(text: string, index: number): number {
  let line = 1;
  for (let i = 0; i < index; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/** Index of the `}}` closing the action that starts at `from`, skipping over string literals. */
function findClose(text: string, from: number, context: TemplateContext, line: number): number {
  let i = from;
  while (i < text.length) {
    const c = text[i];
    if (c === '"' || c === '`') {
      i = skipString(text, i, context, line);
      continue;
    }
    if (text.startsWith('/*', i)) {
      const endComment = text.indexOf('*/', i + 2);
      if (endComment === -1) break;
      i = endComment + 2;
      continue;
    }
    if (text.startsWith('}}', i)) return i;
    i++;
  }
  throw fail(context, line, 'unclosed action');
}

function skipString(text: string, start: number, context: TemplateContext, line: number): number {
  const quote = text[start];
  let i = start + 1;
  while (i < text.length) {
    const c = text[i];
    if (quote === '"' && c === '\\') i += 2;
    else if (c === quote) return i + 1;
    else if (quote === '"' && c === '\n') break;
    else i++;
  }
  throw fail(context, line, 'unterminated quoted string');
}

function fail(context: TemplateContext, line: number, message: string): TemplateError {
  return new TemplateError(`template: ${context.name}:${line}: ${message}`);
}

type Token =
  | { kind: 'string'; value: string }
  | { kind: 'number'; value: string }
  | { kind: 'ident'; value: string }
  | { kind: 'punct'; value: '|' | '(' | ')' };

function tokenize(source: string, context: TemplateContext, line: number): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const c = source[i] ?? '';
    if (/\s/.test(c)) {
      i++;
    } else if (c === '"' || c === '`') {
      const end = skipString(source, i, context, line);
      tokens.push({ kind: 'string', value: unquote(source.slice(i, end), context, line) });
      i = end;
    } else if (c === '|' || c === '(' || c === ')') {
      tokens.push({ kind: 'punct', value: c });
      i++;
    } else if (/[0-9-]/.test(c)) {
      const match = /^-?[0-9][0-9_.eExXa-fA-F+-]*/.exec(source.slice(i));
      if (!match) throw fail(context, line, `unexpected "${c}" in operand`);
      tokens.push({ kind: 'number', value: match[0] });
      i += match[0].length;
    } else if (/[A-Za-z_]/.test(c)) {
      const match = /^[A-Za-z_][A-Za-z0-9_]*/.exec(source.slice(i));
      tokens.push({ kind: 'ident', value: match?.[0] ?? c });
      i += match?.[0].length ?? 1;
    } else {
      throw fail(context, line, `unexpected "${c}" in operand`);
    }
  }
  return tokens;
}

function unquote(literal: string, context: TemplateContext, line: number): string {
  if (literal.startsWith('`')) return literal.slice(1, -1);
  const body = literal.slice(1, -1);
  const simple: Readonly<Record<string, string>> = {
    n: '\n',
    t: '\t',
    r: '\r',
    '\\': '\\',
    '"': '"',
    "'": "'",
    a: '\x07',
    b: '\b',
    f: '\f',
    v: '\v',
  };
  return body.replace(
    /\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|[0-7]{3}|.)/g,
    (_all, esc: string) => {
      if (esc.length === 1) {
        const mapped = simple[esc];
        if (mapped === undefined) throw fail(context, line, `invalid syntax: unknown escape \\${esc}`);
        return mapped;
      }
      const code = /^[0-7]{3}$/.test(esc) ? Number.parseInt(esc, 8) : Number.parseInt(esc.slice(1), 16);
      return String.fromCodePoint(code);
    },
  );
}

function evaluateAction(source: string, context: TemplateContext, line: number): string {
  const trimmed = source.trim();
  if (trimmed.startsWith('/*')) {
    if (!trimmed.endsWith('*/')) throw fail(context, line, 'unclosed comment');
    return '';
  }
  if (trimmed === '') throw fail(context, line, 'missing value for command');
  const tokens = tokenize(source, context, line);
  const state = { tokens, index: 0 };
  const value = evaluatePipeline(state, context, line);
  if (state.index < tokens.length) {
    throw fail(context, line, `unexpected "${tokens[state.index]?.value}" in command`);
  }
  return value;
}

interface ParseState {
  readonly tokens: Token[];
  index: number;
}

function evaluatePipeline(state: ParseState, context: TemplateContext, line: number): string {
  let piped: string | undefined;
  for (;;) {
    piped = evaluateCommand(state, context, line, piped);
    const next = state.tokens[state.index];
    if (next?.kind === 'punct' && next.value === '|') {
      state.index++;
      continue;
    }
    return piped;
  }
}

function evaluateCommand(
  state: ParseState,
  context: TemplateContext,
  line: number,
  piped: string | undefined,
): string {
  const first = state.tokens[state.index];
  if (first === undefined || (first.kind === 'punct' && first.value !== '(')) {
    throw fail(context, line, 'missing value for command');
  }
  if (first.kind !== 'ident') {
    const value = evaluateOperand(state, context, line);
    if (piped !== undefined) throw fail(context, line, `can't give argument to non-function ${first.value}`);
    return value;
  }
  state.index++;
  if (first.value === 'true' || first.value === 'false' || first.value === 'nil') {
    throw fail(context, line, `${first.value} is not supported in this template subset`);
  }
  const fn = functions[first.value];
  if (fn === undefined) throw fail(context, line, `function "${first.value}" not defined`);
  const args: string[] = [];
  for (;;) {
    const next = state.tokens[state.index];
    if (next === undefined || (next.kind === 'punct' && next.value !== '(')) break;
    args.push(evaluateOperand(state, context, line));
  }
  if (piped !== undefined) args.push(piped);
  const [min, max] = fn.arity;
  if (args.length < min || args.length > max) {
    throw fail(context, line, `wrong number of args for ${first.value}: want ${min}, got ${args.length}`);
  }
  return fn.fn(context, args);
}

function evaluateOperand(state: ParseState, context: TemplateContext, line: number): string {
  const token = state.tokens[state.index++];
  if (token === undefined) throw fail(context, line, 'missing value for command');
  if (token.kind === 'string' || token.kind === 'number') return token.value;
  if (token.kind === 'punct' && token.value === '(') {
    const value = evaluatePipeline(state, context, line);
    const close = state.tokens[state.index++];
    if (close?.kind !== 'punct' || close.value !== ')') throw fail(context, line, 'unclosed left paren');
    return value;
  }
  if (token.kind === 'ident') {
    // A function used as an argument is called without arguments, as Go does.
    const fn = functions[token.value];
    if (fn === undefined) throw fail(context, line, `function "${token.value}" not defined`);
    if (fn.arity[0] > 0)
      throw fail(context, line, `wrong number of args for ${token.value}: want ${fn.arity[0]}, got 0`);
    return fn.fn(context, []);
  }
  throw fail(context, line, `unexpected "${token.value}" in operand`);
}
