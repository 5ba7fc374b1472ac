/**
 * Go string literals, as Traefik's rule parser (Go's own expression parser) reads them: raw strings in
 * backticks, interpreted strings in double quotes with Go's escapes. Single quotes are Go rune literals, not
 * strings, so rules may not use them.
 */

const simpleEscapes: Readonly<Record<string, number>> = {
  a: 0x07,
  b: 0x08,
  f: 0x0c,
  n: 0x0a,
  r: 0x0d,
  t: 0x09,
  v: 0x0b,
  '\\': 0x5c,
  '"': 0x22,
};

const utf8 = new TextEncoder();
const decoder = new TextDecoder();

/** Thrown by {@link unquoteGoString} with the reason; the caller adds the rule for context. */
export class GoStringError extends Error {}

/**
 * The value of the Go string literal `literal` (quotes included), e.g. `` `a\b` `` → `a\b`, `"a\tb"` → `a<TAB>b`.
 * `\x` and octal escapes are bytes, so `"\xc3\xa9"` is `é`, as in Go.
 */
export function unquoteGoString(literal: string): string {
  const quote = literal[0];
  if (literal.length < 2 || literal[literal.length - 1] !== quote) {
    throw new GoStringError(`unterminated string ${literal}`);
  }
  const body = literal.slice(1, -1);
  if (quote === '`') {
    if (body.includes('`')) throw new GoStringError(`unterminated string ${literal}`);
    // Go drops carriage returns from raw strings so a file's line endings do not change the value.
    return body.replaceAll('\r', '');
  }
  if (quote !== '"') throw new GoStringError(`not a string literal: ${literal}`);
  if (!body.includes('\\')) {
    if (body.includes('"') || body.includes('\n')) throw new GoStringError(`malformed string ${literal}`);
    return body;
  }

  const bytes: number[] = [];
  for (let i = 0; i < body.length; i++) {
    const char = body[i] as string;
    if (char === '"' || char === '\n') throw new GoStringError(`malformed string ${literal}`);
    if (char !== '\\') {
      const code = body.codePointAt(i) as number;
      if (code > 0xffff) i++;
      bytes.push(...utf8.encode(String.fromCodePoint(code)));
      continue;
    }
    const kind = body[++i];
    if (kind === undefined) throw new GoStringError(`malformed string ${literal}`);
    const simple = simpleEscapes[kind];
    if (simple !== undefined) {
      bytes.push(simple);
    } else if (kind === 'x' || kind === 'u' || kind === 'U') {
      const width = kind === 'x' ? 2 : kind === 'u' ? 4 : 8;
      const digits = body.slice(i + 1, i + 1 + width);
      if (!new RegExp(`^[0-9a-fA-F]{${width}}$`).test(digits)) {
        throw new GoStringError(`invalid escape \\${kind}${digits} in ${literal}`);
      }
      const value = Number.parseInt(digits, 16);
      i += width;
      if (kind === 'x') {
        bytes.push(value);
      } else {
        if (value > 0x10ffff || (value >= 0xd800 && value < 0xe000)) {
          throw new GoStringError(
            `escape \\${kind}${digits} is not a valid Unicode code point in ${literal}`,
          );
        }
        bytes.push(...utf8.encode(String.fromCodePoint(value)));
      }
    } else if (kind >= '0' && kind <= '7') {
      const digits = body.slice(i, i + 3);
      if (!/^[0-7]{3}$/.test(digits) || Number.parseInt(digits, 8) > 255) {
        throw new GoStringError(`invalid octal escape \\${digits} in ${literal}`);
      }
      bytes.push(Number.parseInt(digits, 8));
      i += 2;
    } else {
      throw new GoStringError(`unknown escape sequence \\${kind} in ${literal}`);
    }
  }
  return decoder.decode(new Uint8Array(bytes));
}
