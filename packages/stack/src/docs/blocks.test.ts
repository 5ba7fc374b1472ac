import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { consoleBlocks, DocBlockError } from './blocks.ts';

const page = [
  'Intro.',
  '',
  '```console',
  '$ http :8000/a',
  'HTTP/1.1 200 OK',
  '...',
  '',
  '$ echo 1 \\',
  '  2',
  '1 2',
  '```',
  '',
  '```sh',
  '$ not a console block',
  '```',
  '<!-- readme-test: numbers vary -->',
  '```console',
  '$ npm run load',
  '42 ms',
  '```',
  '<!-- readme-test: skip, needs Docker -->',
  '',
  '```console',
  '$ docker compose up',
  '```',
].join('\n');

describe('consoleBlocks', () => {
  it('splits console blocks into commands, continuations and their shown answers', () => {
    const [first] = consoleBlocks(page);
    assert.deepEqual(first, {
      line: 3,
      mode: 'exact',
      examples: [
        { command: 'http :8000/a', expected: ['HTTP/1.1 200 OK', '...'] },
        { command: 'echo 1 \\\n  2', expected: ['1 2'] },
      ],
    });
  });

  it('ignores other languages and reads the marker above a block', () => {
    const blocks = consoleBlocks(page);
    assert.deepEqual(
      blocks.map((b) => [b.line, b.mode]),
      [
        [3, 'exact'],
        [17, 'numbers-vary'],
        [23, 'skip'],
      ],
    );
  });

  it('refuses a marker it does not know, and a block that does not start with a command', () => {
    assert.throws(
      () => consoleBlocks('<!-- readme-test: sometimes -->\n```console\n$ a\n```'),
      DocBlockError,
    );
    assert.throws(
      () => consoleBlocks('```console\noutput first\n$ a\n```'),
      /must start with a "\$ " command/,
    );
  });

  it('forgets a marker separated from the block by prose', () => {
    const [block] = consoleBlocks('<!-- readme-test: skip -->\nSome prose.\n```console\n$ a\n```');
    assert.equal(block?.mode, 'exact');
  });
});
