import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { progressBar } from '../../scripts/progress.ts';
import { readArtifact } from './artifact.ts';
import { BOSTON_CSV } from './testing.ts';

const SCRIPT = resolve(import.meta.dirname, '../../scripts/train.ts');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function train(...args: string[]): Promise<Run> {
  return trainIn(process.cwd(), ...args);
}

/** Runs the script as `npm run train` would from `cwd`: npm passes that folder as INIT_CWD. */
async function trainIn(cwd: string, ...args: string[]): Promise<Run> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [SCRIPT, ...args], {
      cwd,
      env: { ...process.env, INIT_CWD: cwd },
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const failed = err as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe('scripts/train.ts', () => {
  let dir = '';
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'forest-train-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('writes the same artifact twice for a seed, another for another seed, and reports OOB figures', async () => {
    const [a, b, c] = ['a.json', 'b.json', 'c.json'].map((name) => join(dir, name)) as [
      string,
      string,
      string,
    ];
    const first = await train('--data', BOSTON_CSV, '--ntree', '3', '--seed', '5', '--out', a);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /mean of squared residuals \(OOB\): \d+\.\d+/);
    assert.match(first.stdout, /% variance explained \(OOB\): +\d+\.\d+/);
    assert.equal(first.stderr, '', 'no progress bar when stderr is not a terminal');
    assert.equal((await train('--data', BOSTON_CSV, '--ntree', '3', '--seed', '5', '--out', b)).code, 0);
    assert.equal((await train('--data', BOSTON_CSV, '--ntree', '3', '--seed', '6', '--out', c)).code, 0);
    assert.equal(await readFile(a, 'utf8'), await readFile(b, 'utf8'));
    assert.notEqual(await readFile(a, 'utf8'), await readFile(c, 'utf8'));
    const artifact = await readArtifact(a);
    assert.deepEqual(artifact.options, { ntree: 3, mtry: 4, nodeSize: 5, seed: 5 });
    assert.equal(artifact.data.sha256, 'b9f88f3463a208dadd78546f0fb9ddacfa4897b4c92dd1b8269734f000fe377c');
  });

  it('names the artifact it wrote by its absolute path, however --out was given', async () => {
    /** The "wrote ..." line, without its size (which depends on the trees grown). */
    const wrote = (stdout: string) => stdout.split('\n').find((line) => line.startsWith('wrote '));
    const run = await trainIn(dir, '--data', BOSTON_CSV, '--ntree', '1', '--out', 'nested/rf.json');
    assert.equal(run.code, 0, run.stderr);
    const written = join(dir, 'nested', 'rf.json');
    assert.match(wrote(run.stdout) ?? '', /^wrote \/.* \(\d+ KiB, data sha256 [0-9a-f]{12}…\)$/);
    assert.ok(wrote(run.stdout)?.startsWith(`wrote ${written} (`), run.stdout);
    assert.equal((await readArtifact(written)).options.ntree, 1);

    const args = ['--data', BOSTON_CSV, '--ntree', '1', '--out', '../up.json'];
    const outside = await trainIn(join(dir, 'nested'), ...args);
    assert.ok(wrote(outside.stdout)?.startsWith(`wrote ${join(dir, 'up.json')} (`), outside.stdout);
  });

  it('exits 2 with a clear message on bad options', async () => {
    const cases: [string[], RegExp][] = [
      [['--ntree', '0'], /--ntree must be an integer from 1 to 100000 \(got 0\)/],
      [['--seed', 'abc'], /--seed must be a non-negative integer \(got "abc"\)/],
      [['--mtry', '14'], /--mtry must be an integer from 1 to 13 \(got 14\)/],
      [['--node-size', '0'], /--node-size must be an integer from 1/],
      [['--bogus'], /Unknown option '--bogus'/],
      [['--data', '/nonexistent/boston.csv'], /--data: cannot read \/nonexistent\/boston\.csv \(ENOENT\)/],
      [['--target', 'price'], /--target: no target column 'price'/],
    ];
    for (const [args, message] of cases) {
      const run = await train('--data', BOSTON_CSV, '--out', join(dir, 'never.json'), ...args);
      assert.equal(run.code, 2, `${args.join(' ')}: exit ${run.code}`);
      assert.match(run.stderr, message);
      assert.match(run.stderr, /usage: npm run train/);
    }
  });

  it('draws its progress bar only on a terminal', () => {
    const written: string[] = [];
    const fake = (isTTY: boolean) =>
      ({ isTTY, write: (chunk: string) => written.push(chunk) }) as unknown as NodeJS.WriteStream;
    const quiet = progressBar('growing trees', fake(false));
    quiet.update(1, 2);
    quiet.done();
    assert.deepEqual(written, []);
    const bar = progressBar('growing trees', fake(true));
    bar.update(50, 100, 'OOB MSE 11.20');
    bar.done();
    assert.equal(
      written[0],
      `\r\x1b[2Kgrowing trees ${'█'.repeat(15)}${'░'.repeat(15)} 50/100  OOB MSE 11.20`,
    );
    assert.equal(written[1], '\r\x1b[2K');
  });
});
