/**
 * Compares what a command printed with what a page shows. A shown line that is just `...` stands for any
 * number of lines (headers, the rest of a long answer), and `...` inside a line for any text on that line (a token,
 * a date), so a page can show what matters and nothing volatile.
 */
import type { BlockMode } from './blocks.ts';

const ELLIPSIS = '...';

/** Lines as compared: carriage returns and trailing white space dropped, trailing blank lines removed. */
export function normaliseLines(text: string): string[] {
  const lines = text
    .replaceAll('\r', '')
    .split('\n')
    .map((line) => line.trimEnd());
  while (lines.length > 0 && lines.at(-1) === '') lines.pop();
  return lines;
}

/**
 * For blocks whose figures change from run to run: numbers with their time unit (`793ms` and `1.00s` alike),
 * histogram bars and alignment (white space) go, and the shape of the line stays.
 */
function blurNumbers(line: string): string {
  return line.replaceAll(/\d+(\.\d+)?(ns|µs|us|ms|s|m|h)?/g, '#').replaceAll(/[∎\s]/g, '');
}

/** `text` as a regular expression that matches it literally. */
export const escapeRegExp = (text: string) => text.replaceAll(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** One shown line as a test of a printed line: equal, or with each inner `...` standing for any text. */
function lineTest(shown: string): (printed: string) => boolean {
  if (!shown.includes(ELLIPSIS)) return (printed) => printed === shown;
  const pattern = new RegExp(`^${shown.split(ELLIPSIS).map(escapeRegExp).join('.*')}$`);
  return (printed) => pattern.test(printed);
}

/** Whether `actual` matches `expected`, where an `...` line of `expected` matches zero or more lines. */
export function linesMatch(expected: string[], actual: string[], mode: BlockMode = 'exact'): boolean {
  const key = mode === 'numbers-vary' ? blurNumbers : (line: string) => line.trimEnd();
  const e = expected.map((line) => (line.trim() === ELLIPSIS ? ELLIPSIS : lineTest(key(line))));
  const a = actual.map(key);
  // memo[i][j]: e[i..] matches a[j..]; lines are few, so a table is cheap and avoids exponential backtracking.
  const memo = new Map<number, boolean>();
  const matches = (i: number, j: number): boolean => {
    const slot = i * (a.length + 1) + j;
    const known = memo.get(slot);
    if (known !== undefined) return known;
    let result: boolean;
    if (i === e.length) result = j === a.length;
    else if (e[i] === ELLIPSIS) result = matches(i + 1, j) || (j < a.length && matches(i, j + 1));
    else {
      const test = e[i];
      result = j < a.length && typeof test === 'function' && test(a[j] ?? '') && matches(i + 1, j + 1);
    }
    memo.set(slot, result);
    return result;
  };
  return matches(0, 0);
}
