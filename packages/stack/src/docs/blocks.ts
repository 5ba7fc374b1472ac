/**
 * Reads the executable examples of a Markdown page: every ```console block, split into commands (`$ ...`,
 * with `\` continuations) and the answer the page shows for each. An HTML comment right above a block
 * (`<!-- readme-test: skip, why -->`, `<!-- readme-test: numbers vary -->`) says how to treat it.
 */

/** How a block's answers are compared. */
export type BlockMode = 'exact' | 'numbers-vary' | 'skip';

/** One command of a console block with the answer the page shows. */
export interface Example {
  /** The command as a person types it (continuation lines joined with their `\` and newline). */
  command: string;
  /** The lines the page shows after it, without trailing blank lines. */
  expected: string[];
}

/** A ```console block of a page. */
export interface ConsoleBlock {
  /** 1-based line of the opening fence, for messages. */
  line: number;
  mode: BlockMode;
  examples: Example[];
}

/** Thrown for a console block the harness cannot read, so a typo in a page never silently skips a check. */
export class DocBlockError extends Error {
  readonly code = 'ERR_DOC_BLOCK';
}

const MARKER = /^<!--\s*readme-test:\s*(.*?)\s*-->$/;

function modeOf(marker: string, line: number): BlockMode {
  if (marker.startsWith('skip')) return 'skip';
  if (marker === 'numbers vary') return 'numbers-vary';
  throw new DocBlockError(`line ${line}: unknown readme-test marker "${marker}" (skip, numbers vary)`);
}

/** Splits a console block's body into its commands and their shown answers. */
function examplesOf(body: string[], fenceLine: number): Example[] {
  const examples: Example[] = [];
  let current: Example | undefined;
  let continued = false;
  for (const [i, line] of body.entries()) {
    if (continued && current) {
      current.command += `\n${line}`;
      continued = line.endsWith('\\');
    } else if (line.startsWith('$ ')) {
      current = { command: line.slice(2), expected: [] };
      examples.push(current);
      continued = line.endsWith('\\');
    } else if (current) {
      current.expected.push(line);
    } else if (line.trim() !== '') {
      throw new DocBlockError(`line ${fenceLine + 1 + i}: a console block must start with a "$ " command`);
    }
  }
  for (const example of examples) {
    while (example.expected.length > 0 && example.expected.at(-1)?.trim() === '') example.expected.pop();
  }
  return examples;
}

/** Every console block of a Markdown text, in order. */
export function consoleBlocks(markdown: string): ConsoleBlock[] {
  const lines = markdown.split('\n');
  const blocks: ConsoleBlock[] = [];
  let marker: { text: string; line: number } | undefined;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    const markerMatch = MARKER.exec(line.trim());
    if (markerMatch) {
      marker = { text: markerMatch[1] ?? '', line: i + 1 };
      continue;
    }
    const fence = /^(`{3,})(\S*)/.exec(line);
    if (!fence) {
      if (line.trim() !== '') marker = undefined;
      continue;
    }
    const close = lines.findIndex(
      (l, j) => j > i && l.startsWith(fence[1] ?? '```') && l.trim() === fence[1],
    );
    const end = close === -1 ? lines.length : close;
    if (fence[2] === 'console') {
      blocks.push({
        line: i + 1,
        mode: marker ? modeOf(marker.text, marker.line) : 'exact',
        examples: examplesOf(lines.slice(i + 1, end), i + 1),
      });
    }
    marker = undefined;
    i = end;
  }
  return blocks;
}
