import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, describe, it } from 'node:test';
import { eventually, send } from '../testing/harness.ts';
import { accessLogOutput } from './access-log-file.ts';

const cli = join(import.meta.dirname, '..', 'cli.ts');
const linesOf = async (path: string) =>
  (await readFile(path, 'utf8').catch(() => '')).split('\n').filter(Boolean);

describe('access log file (filePath, bufferingSize, reopen)', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'access-log-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes to filePath, creating its directory, and has every line in it once closed', async () => {
    const path = join(dir, 'nested', 'deeper', 'access.log');
    const output = accessLogOutput({ filePath: path });
    for (let i = 0; i < 500; i++) output.write(`line ${i}\n`);
    await output.close();
    const lines = await linesOf(path);
    assert.equal(lines.length, 500);
    assert.equal(lines[499], 'line 499');
  });

  it('appends to a file that exists, as Traefik opens it (O_APPEND)', async () => {
    const path = join(dir, 'existing.log');
    await writeFile(path, 'before\n');
    const output = accessLogOutput({ filePath: path });
    output.write('after\n');
    await output.close();
    assert.deepEqual(await linesOf(path), ['before', 'after']);
  });

  it('keeps bufferingSize lines in memory, and writes them on close', async () => {
    const path = join(dir, 'buffered.log');
    const output = accessLogOutput({ filePath: path, bufferingSize: 10 });
    output.write('one\n');
    output.write('two\n');
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.deepEqual(await linesOf(path), [], 'not written yet');
    for (let i = 0; i < 8; i++) output.write(`more ${i}\n`);
    await eventually(async () => (await linesOf(path)).length === 10);
    output.write('last\n');
    await output.close();
    assert.equal((await linesOf(path)).at(-1), 'last');
  });

  it('reopens the path after a rotation: later lines go to a new file there, none is lost', {
    timeout: 10_000,
  }, async () => {
    const path = join(dir, 'rotated.log');
    const output = accessLogOutput({ filePath: path });
    output.write('first\n');
    await eventually(async () => (await linesOf(path)).length === 1);
    await rename(path, `${path}.1`);
    output.write('still old\n');
    // Lines written in the same turn as the reopen, and while it is under way.
    for (let i = 0; i < 200; i++) output.write(`burst ${i}\n`);
    output.reopen();
    for (let i = 200; i < 400; i++) output.write(`burst ${i}\n`);
    await new Promise((resolve) => setImmediate(resolve));
    output.write('new\n');
    await output.close();
    const old = await linesOf(`${path}.1`);
    const fresh = await linesOf(path);
    assert.deepEqual(old.slice(0, 2), ['first', 'still old']);
    assert.equal(fresh.at(-1), 'new');
    const all = [...old, ...fresh];
    assert.equal(all.length, 403, 'every line once');
    assert.equal(new Set(all).size, 403);
    assert.ok(fresh.includes('burst 399'));
  });

  for (const workers of [1, 2]) {
    it(`a gateway process (workers: ${workers}) reopens its access log on SIGUSR1`, {
      timeout: 30_000,
    }, async () => {
      const path = join(dir, `gateway-${workers}.log`);
      const config = join(dir, `gateway-${workers}.yml`);
      await writeFile(
        config,
        'entryPoints:\n  web:\n    address: "127.0.0.1:0"\nping:\n  entryPoint: web\n' +
          `accessLog:\n  format: json\n  addInternals: true\n  filePath: ${JSON.stringify(path)}\n` +
          `workers: ${workers}\n`,
      );
      const child = spawn(process.execPath, [cli, '--configFile', config], {
        env: { ...process.env, LOG_LEVEL: 'info' },
      });
      const logs: Record<string, unknown>[] = [];
      let stderr = '';
      child.stderr.on('data', (chunk) => {
        stderr += chunk;
      });
      createInterface({ input: child.stdout }).on('line', (line) => {
        try {
          logs.push(JSON.parse(line));
        } catch {
          // Not a log line.
        }
      });
      try {
        await eventually(
          () =>
            logs.filter((l) => l.msg === 'entrypoint listening').length === workers ||
            child.exitCode !== null,
        );
        assert.equal(child.exitCode, null, stderr);
        const port = logs.find((l) => l.msg === 'entrypoint listening')?.port;
        const ping = async (n: number) => {
          for (let i = 0; i < n; i++) assert.equal((await send(`http://127.0.0.1:${port}/ping`)).body, 'OK');
        };
        await ping(2);
        await eventually(async () => (await linesOf(path)).length === 2);
        await rename(path, `${path}.1`);
        await ping(1);
        await eventually(async () => (await linesOf(`${path}.1`)).length === 3);
        child.kill('SIGUSR1');
        await eventually(() => logs.some((l) => String(l.msg).startsWith('SIGUSR1')));
        await eventually(async () => (await readFile(path).catch(() => undefined)) !== undefined);
        await ping(4);
        child.kill('SIGTERM');
        await once(child, 'exit');
        assert.equal(child.exitCode, 0, stderr);
        assert.equal((await linesOf(`${path}.1`)).length, 3);
        const fresh = (await linesOf(path)).map((line) => JSON.parse(line) as Record<string, unknown>);
        assert.equal(fresh.length, 4);
        for (const line of fresh) assert.equal(line.RequestPath, '/ping');
      } finally {
        if (child.exitCode === null) child.kill('SIGKILL');
      }
    });
  }
});
