/**
 * Every ```console block of the README, of each app's README and of docs/ is run against a fresh stack and
 * compared with what the page shows, so the walkthrough cannot drift from the code. Commands run as a reader
 * runs them (HTTPie as at a terminal), on the test stack's free ports; the answers are compared on the
 * default ports the pages use.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { repoRoot } from '../config.ts';
import type { Stack } from '../launcher.ts';
import { startTestStack } from '../test-stack.ts';
import { consoleBlocks } from './blocks.ts';
import { linesMatch, normaliseLines } from './match.ts';
import { executablePages, pageName } from './pages.ts';
import { type PortPair, portPairs, toActualPorts, toStandardPorts } from './ports.ts';
import { Terminal } from './shell.ts';

/** Where a program is on the PATH, or undefined. */
function which(program: string): string | undefined {
  try {
    return execFileSync('sh', ['-c', `command -v ${program}`], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}

const httpie = which('http');
const missing = [httpie ? [] : ['HTTPie (http)'], which('jq') ? [] : ['jq']].flat();
// CI installs both (.ci/run), so there a missing one is a failure, not a skip.
const skip =
  missing.length === 0 || process.env.CI
    ? false
    : `${missing.join(' and ')} not installed: apt-get install httpie jq`;

const pages = executablePages(repoRoot).map((path) => ({
  name: pageName(repoRoot, path),
  blocks: consoleBlocks(readFileSync(path, 'utf8')),
}));

describe('the pages answer as they show', { skip }, () => {
  let stack: Stack | undefined;
  let pairs: PortPair[] = [];
  const scratch = mkdtempSync(join(tmpdir(), 'page-test-'));

  before(async () => {
    const started = await startTestStack();
    stack = started.stack;
    pairs = portPairs(started.config);
  });

  after(async () => {
    await stack?.stop();
    rmSync(scratch, { recursive: true, force: true });
  });

  for (const [i, page] of pages.entries()) {
    describe(page.name, () => {
      // One terminal per page, as a reader follows it top to bottom.
      let terminal: Terminal;
      before(() => {
        terminal = new Terminal({
          cwd: repoRoot,
          scratch: join(scratch, String(i)),
          httpieDir: dirname(httpie ?? '/usr/bin/http'),
        });
      });
      for (const block of page.blocks) {
        const title = `line ${block.line}: ${block.examples[0]?.command.split('\n')[0] ?? '(empty)'}`;
        it(title, { skip: block.mode === 'skip' ? 'marked illustrative' : false }, async () => {
          assert.ok(block.examples.length > 0, 'a console block needs at least one "$ " command');
          for (const example of block.examples) {
            const result = await terminal.run(toActualPorts(example.command, pairs), 90_000);
            const actual = normaliseLines(toStandardPorts(result.output, pairs));
            assert.ok(!result.timedOut, `"${example.command}" did not finish`);
            assert.ok(
              linesMatch(example.expected, actual, block.mode),
              [
                `"${example.command}" (${page.name}:${block.line}) printed:`,
                ...actual.map((line) => `  | ${line}`),
                'but the page shows:',
                ...example.expected.map((line) => `  | ${line}`),
              ].join('\n'),
            );
          }
        });
      }
    });
  }
});
