/**
 * Compares what a command printed with what a page shows. A shown line that is just `...` stands for any
 * number of lines (headers, the rest of a long answer), so a page can show what matters and nothing volatile.
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

/** Whether `actual` matches `expected`, where an `...` line of `expected` matches zero or more lines. */
export function linesMatch(expected: string[], actual: string[], mode: BlockMode = 'exact'): boolean {
  const key = mode === 'numbers-vary' ? blurNumbers : (line: string) => line.trimEnd();
  const e = expected.map((line) => (line.trim() === ELLIPSIS ? ELLIPSIS : key(line)));
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
    else result = j < a.length && e[i] === a[j] && matches(i + 1, j + 1);
    memo.set(slot, result);
    return result;
  };
  return matches(0, 0);
}
