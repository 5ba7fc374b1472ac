import assert from 'node:assert/strict';
import { type ChildProcessByStdio, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { DEFAULT_MODEL_PATH } from './config.ts';

const main = fileURLToPath(new URL('./main.ts', import.meta.url));
const dir = await mkdtemp(join(tmpdir(), 'model-service-main-'));
after(() => rm(dir, { recursive: true, force: true }));

function spawnMain(env: Record<string, string>): ChildProcessByStdio<null, Readable, Readable> {
  return spawn(process.execPath, [main], {
    env: { ...process.env, LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** Runs main to its exit; for start-ups that must fail. */
async function run(env: Record<string, string>) {
  const child = spawnMain(env);
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, stderr };
}

/** A copy of the built forest, edited by `change`. */
async function artifactWith(name: string, change: (raw: Record<string, unknown>) => void) {
  const raw = JSON.parse(await readFile(DEFAULT_MODEL_PATH, 'utf8')) as Record<string, unknown>;
  change(raw);
  const path = join(dir, name);
  await writeFile(path, JSON.stringify(raw));
  return path;
}

const HINT = /; build it with 'npm run build -w apps\/model-service' or set MODEL_PATH\n$/;

describe('main fails fast, in one line that says what to do', () => {
  it('when the forest artifact is missing', async () => {
    const { code, stderr } = await run({ MODEL_PATH: '/nonexistent/boston-rf.json', PORT: '0' });
    assert.equal(code, 1);
    assert.match(
      stderr,
      /^model-service: failed to start: \/nonexistent\/boston-rf.json: cannot read the model artifact \(no such file\)/,
    );
    assert.match(stderr, HINT);
    assert.equal(stderr.split('\n').length, 2, 'one line');
  });

  it('when the artifact is not JSON, of another version, or trained on other features', async () => {
    const garbage = join(dir, 'garbage.json');
    await writeFile(garbage, 'not json');
    const cases: Array<[string, RegExp]> = [
      [garbage, /garbage\.json: not JSON/],
      [
        await artifactWith('v99.json', (raw) => {
          raw.version = 99;
        }),
        /v99\.json: artifact version 99 is not supported \(this service reads version 1\)/,
      ],
      [
        await artifactWith('features.json', (raw) => {
          raw.features = (raw.features as string[]).toReversed();
        }),
        /features\.json: the model was trained on features \[lstat, .*\], expected \[crim, /,
      ],
    ];
    for (const [path, message] of cases) {
      const { code, stderr } = await run({ MODEL_PATH: path, PORT: '0' });
      assert.equal(code, 1, path);
      assert.match(stderr, /^model-service: failed to start: /);
      assert.match(stderr, message);
      assert.match(stderr, HINT);
    }
  });

  it('when the admission data is missing or cannot be fit', async () => {
    const missing = await run({ ADMISSION_DATA: join(dir, 'absent.csv'), PORT: '0' });
    assert.equal(missing.code, 1);
    assert.match(
      missing.stderr,
      /^model-service: failed to start: .*absent\.csv: cannot fit the admission model \(no such file\); set ADMISSION_DATA/,
    );
    const noRank = join(dir, 'no-rank.csv');
    await writeFile(noRank, 'admit,gre,gpa\n1,600,3.5\n0,500,3.0\n');
    const bad = await run({ ADMISSION_DATA: noRank, PORT: '0' });
    assert.equal(bad.code, 1);
    assert.match(
      bad.stderr,
      /no-rank\.csv: cannot fit the admission model \(the admission data has no 'rank' column\)/,
    );
  });

  it('when the environment is bad, naming the variable', async () => {
    const { code, stderr } = await run({ PORT: 'eighty' });
    assert.equal(code, 1);
    assert.match(stderr, /PORT/);
  });
});

describe('main', () => {
  it('serves the models once listening, and stops cleanly on SIGTERM', async () => {
    const child = spawnMain({ PORT: '0' });
    let stdout = '';
    const listening = new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        const found = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout);
        if (found) resolve(found[1] as string);
      });
      child.once('exit', (code) => reject(new Error(`exited ${code} before listening:\n${stdout}`)));
    });
    const base = await listening;
    assert.match(stdout, /"msg":"models loaded"/);

    assert.deepEqual(await (await fetch(`${base}/`)).json(), { title: 'R Backend API' });
    const res = await fetch(`${base}/admission`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"gre": 600, "rank": "1"}',
    });
    const answer = (await res.json()) as { result: boolean; probability: number };
    assert.equal(answer.result, true);
    assert.ok(Math.abs(answer.probability - 0.52355) < 5e-6);

    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    assert.deepEqual(await exited, [0, null]);
  });
});
