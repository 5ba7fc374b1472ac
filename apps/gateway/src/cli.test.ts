import assert from 'node:assert/strict';
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, describe, it } from 'node:test';
import { eventually, route, send, startUpstream, type Upstream } from './testing/harness.ts';

const cli = join(import.meta.dirname, 'cli.ts');

describe('gateway CLI (--configFile, address overrides, SIGHUP, SIGTERM)', () => {
  let dir: string;
  let one: Upstream;
  let two: Upstream;
  let child: ChildProcessWithoutNullStreams;
  const lines: Record<string, unknown>[] = [];
  let stderr = '';

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gateway-cli-'));
    one = await startUpstream((_req, res) => res.end('one'));
    two = await startUpstream((_req, res) => res.end('two'));
    await mkdir(join(dir, 'dynamic'));
    await writeFile(
      join(dir, 'dynamic', 'routes.yml'),
      route('app', 'PathPrefix(`/app`)', `'{{ env "APP_URL" }}'`),
    );
    // Ports in the file are taken; the flags move them to free ones. Watching is off: SIGHUP reloads.
    await writeFile(
      join(dir, 'gateway.yml'),
      `entryPoints:\n  web:\n    address: ":1"\n  traefik:\n    address: ":2"\nproviders:\n  file:\n    directory: dynamic\n    watch: false\nping: {}\napi:\n  insecure: true\n`,
    );
    child = spawn(
      process.execPath,
      [
        cli,
        '--configFile',
        join(dir, 'gateway.yml'),
        '--entryPoints.web.address=127.0.0.1:0',
        '--entryPoints.traefik.address',
        '127.0.0.1:0',
      ],
      { env: { ...process.env, LOG_LEVEL: 'info', APP_URL: one.url } },
    );
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    createInterface({ input: child.stdout }).on('line', (line) => {
      try {
        lines.push(JSON.parse(line));
      } catch {
        // Not a log line.
      }
    });
    await eventually(
      () => lines.filter((l) => l.msg === 'entrypoint listening').length === 2 || child.exitCode !== null,
    );
  });

  after(async () => {
    if (child.exitCode === null) child.kill('SIGKILL');
    await one.close();
    await two.close();
    await rm(dir, { recursive: true, force: true });
  });

  const url = (entryPoint: string) => {
    const line = lines.find((l) => l.msg === 'entrypoint listening' && l.entryPoint === entryPoint);
    return `http://127.0.0.1:${line?.port}`;
  };

  it('starts from --configFile with the addresses moved by flags', async () => {
    assert.equal(child.exitCode, null, stderr);
    assert.equal((await send(`${url('traefik')}/ping`)).body, 'OK');
    assert.equal((await send(`${url('web')}/app`)).body, 'one');
  });

  it('reloads the dynamic configuration on SIGHUP', async () => {
    assert.equal(child.exitCode, null, stderr);
    await writeFile(join(dir, 'dynamic', 'routes.yml'), route('app', 'PathPrefix(`/app`)', two.url));
    child.kill('SIGHUP');
    await eventually(async () => (await send(`${url('web')}/app`)).body === 'two');
  });

  it('stops gracefully on SIGTERM with exit code 0', async () => {
    assert.equal(child.exitCode, null, stderr);
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    const [code] = await exited;
    assert.equal(code, 0);
    assert.ok(lines.some((l) => l.msg === 'gateway stopped'));
  });

  it('exits with 2 and names the field on an invalid static configuration', async () => {
    await writeFile(join(dir, 'bad.yml'), 'entryPoints:\n  web:\n    address: nope\n');
    const bad = spawn(process.execPath, [cli, '--configFile', join(dir, 'bad.yml')]);
    let output = '';
    bad.stderr.on('data', (chunk) => {
      output += chunk;
    });
    const [code] = await once(bad, 'exit');
    assert.equal(code, 2);
    assert.match(output, /entryPoints\.web\.address: expected "\[host\]:port", got "nope"/);
  });

  it('stops when its supervisor dies, though its stdout pipe went with it', async () => {
    // A supervisor (like the stack launcher) that starts the gateway with piped output and an IPC channel,
    // prints its pid, and is then killed outright.
    const supervisor = spawn(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `import { spawn } from 'node:child_process';
         const gateway = spawn(process.execPath, [${JSON.stringify(cli)}, '--configFile', ${JSON.stringify(join(dir, 'gateway.yml'))},
           '--entryPoints.web.address=127.0.0.1:0', '--entryPoints.traefik.address=127.0.0.1:0'],
           { stdio: ['ignore', 'pipe', 'pipe', 'ipc'], env: { ...process.env, APP_URL: 'http://127.0.0.1:9' } });
         gateway.stdout.once('data', () => console.log(gateway.pid));`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const [first] = (await once(supervisor.stdout, 'data')) as [Buffer];
    const pid = Number(first.toString().trim());
    supervisor.kill('SIGKILL');
    const alive = () => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    const deadline = Date.now() + 10_000;
    while (alive() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    const lingering = alive();
    if (lingering) process.kill(pid, 'SIGKILL');
    assert.equal(lingering, false, 'the gateway outlived its supervisor by 10 s');
  });
});
