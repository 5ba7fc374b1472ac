/**
 * Tokens of a router rule. The grammar is the slice of Go expressions Traefik accepts: calls with string
 * arguments, `&&`, `||`, `!` and parentheses.
 */

import { type GoStringError, unquoteGoString } from './go-string.ts';

/** One token, with its offset in the rule for error messages. */
export type Token =
  | { readonly kind: 'word'; readonly value: string; readonly offset: number }
  | { readonly kind: 'string'; readonly value: string; readonly offset: number }
  | { readonly kind: '(' | ')' | ',' | '&&' | '||' | '!' | 'end'; readonly offset: number };

/** Thrown by {@link tokenize}; the parser turns it into a RuleError. */
export class LexError extends Error {}

/** Characters that end a bare word: whitespace, punctuation of the grammar, quotes. */
const wordEnd = /[\s()`",!&|']/;

/** Splits `rule` into tokens, ending with an `end` token. */
export function tokenize(rule: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < rule.length) {
    const char = rule[i] as string;
    if (char === ' ' || char === '\t' || char === '\n' || char === '\r') {
      i++;
    } else if (char === '(' || char === ')' || char === ',' || char === '!') {
      tokens.push({ kind: char, offset: i });
      i++;
    } else if ((char === '&' || char === '|') && rule[i + 1] === char) {
      tokens.push({ kind: char === '&' ? '&&' : '||', offset: i });
      i += 2;
    } else if (char === '`' || char === '"') {
      const end = closingQuote(rule, i);
      try {
        tokens.push({ kind: 'string', value: unquoteGoString(rule.slice(i, end + 1)), offset: i });
      } catch (error) {
        throw new LexError((error as GoStringError).message);
      }
      i = end + 1;
    } else if (char === "'") {
      throw new LexError(`single quotes at offset ${i}: quote values with backticks or double quotes`);
    } else if (!wordEnd.test(char)) {
      // Bare words are read whole so that `Host(example.com)` can be reported as an unquoted value.
      const start = i;
      while (i < rule.length && !wordEnd.test(rule[i] as string)) i++;
      tokens.push({ kind: 'word', value: rule.slice(start, i), offset: start });
    } else {
      throw new LexError(`unexpected character ${JSON.stringify(char)} at offset ${i}`);
    }
  }
  tokens.push({ kind: 'end', offset: rule.length });
  return tokens;
}

/** The index of the quote closing the literal that opens at `start`. */
function closingQuote(rule: string, start: number): number {
  const quote = rule[start];
  for (let i = start + 1; i < rule.length; i++) {
    const char = rule[i];
    if (char === '\\' && quote === '"') i++;
    else if (char === quote) return i;
  }
  throw new LexError(`unterminated string starting at offset ${start}`);
}
