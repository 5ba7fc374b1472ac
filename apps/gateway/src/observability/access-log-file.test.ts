import assert from 'node:assert/strict';
import { mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import pino from 'pino';
import { createGateway } from '../app.ts';
import { parseStaticConfig } from '../config/static.ts';
import { startChildGateway } from '../reliability/child-gateway.ts';
import { eventually, route, sendWithNodeClient, startUpstream } from '../testing/harness.ts';
import { accessLogOutput } from './access-log-file.ts';

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

  it('refuses to start a gateway whose filePath cannot be written, as Traefik does, naming the path', async () => {
    const blocker = join(dir, 'a-file');
    await writeFile(blocker, '');
    const path = join(blocker, 'access.log');
    assert.match(
      String(accessLogOutput({ filePath: path }).failure),
      /accessLog\.filePath: cannot write .*a-file\/access\.log: EEXIST/,
    );
    const { config } = parseStaticConfig({
      entryPoints: { web: { address: '127.0.0.1:0' } },
      accessLog: { filePath: path },
    });
    const logger = pino({ level: 'silent' });
    const gateway = createGateway({ config, logger });
    await assert.rejects(gateway.start(), /accessLog\.filePath: cannot write/);
    await gateway.stop();
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
      const upstream = await startUpstream((_req, res) => res.end('up'));
      const gw = await startChildGateway({
        staticExtra: `accessLog:\n  format: json\n  filePath: ${JSON.stringify(path)}\n`,
        files: { 'app.yml': route('app', 'PathPrefix(`/app`)', upstream.url) },
        args: [`--workers=${workers}`],
        // With two workers, the first also listens on the admin entrypoint.
        listeningLines: workers + 1,
      });
      try {
        // A connection each, so that with two workers both serve some (the primary deals them in turn).
        const get = async (n: number) => {
          for (let i = 0; i < n; i++) {
            assert.equal(
              (await sendWithNodeClient(`${gw.url('web')}/app`, { connection: 'close' })).body,
              'up',
            );
          }
        };
        await get(4);
        await eventually(async () => (await linesOf(path)).length === 4);
        await rename(path, `${path}.1`);
        await get(2);
        await eventually(async () => (await linesOf(`${path}.1`)).length === 6);
        gw.child.kill('SIGUSR1');
        await eventually(() => gw.lines.some((l) => String(l.msg).startsWith('SIGUSR1')));
        await eventually(async () => (await readFile(path).catch(() => undefined)) !== undefined);
        await new Promise((resolve) => setTimeout(resolve, 100));
        await get(6);
        gw.child.kill('SIGTERM');
        assert.equal(await gw.exited, 0);
        assert.equal((await linesOf(`${path}.1`)).length, 6, 'no line after the signal in the rotated file');
        const fresh = (await linesOf(path)).map((line) => JSON.parse(line) as Record<string, unknown>);
        assert.equal(fresh.length, 6);
        for (const line of fresh) assert.equal(line.RequestPath, '/app');
      } finally {
        await gw.close();
        await upstream.close();
      }
    });
  }
});
