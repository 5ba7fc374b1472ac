import assert from 'node:assert/strict';
import { readdir, readFile, readlink, rename, writeFile } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadStaticConfig } from '../config/static-sources.ts';
import { type ChildGateway, startChildGateway } from '../reliability/child-gateway.ts';
import { eventually, route, startUpstream, type Upstream } from '../testing/harness.ts';

/** One keep-alive connection to the gateway, for requests whose connection we can trace to a process. */
async function connection(port: number): Promise<{ socket: Socket; get(path: string): Promise<number> }> {
  const socket = connect(port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  let buffered = '';
  let waiting: (() => void) | undefined;
  socket.on('data', (chunk) => {
    buffered += chunk.toString('latin1');
    waiting?.();
  });
  const get = async (path: string): Promise<number> => {
    buffered = '';
    socket.write(`GET ${path} HTTP/1.1\r\nHost: test\r\n\r\n`);
    for (;;) {
      const end = buffered.indexOf('\r\n\r\n');
      const length = /\r\ncontent-length: (\d+)/i.exec(buffered)?.[1];
      const complete =
        end !== -1 &&
        (length !== undefined
          ? buffered.length >= end + 4 + Number(length)
          : buffered.endsWith('\r\n0\r\n\r\n'));
      if (complete) return Number(buffered.slice(9, 12));
      await new Promise<void>((resolve) => {
        waiting = resolve;
      });
    }
  };
  return { socket, get };
}

/** The process among `pids` holding the gateway's end of the connection from local port `clientPort`. */
async function ownerOf(
  pids: readonly number[],
  gatewayPort: number,
  clientPort: number,
): Promise<number | undefined> {
  const hex = (port: number) => port.toString(16).toUpperCase().padStart(4, '0');
  const table = await readFile('/proc/net/tcp', 'utf8');
  const entry = table
    .split('\n')
    .slice(1)
    .map((line) => line.trim().split(/\s+/))
    .find(
      (fields) => fields[1]?.endsWith(`:${hex(gatewayPort)}`) && fields[2]?.endsWith(`:${hex(clientPort)}`),
    );
  const inode = entry?.[9];
  if (inode === undefined) return undefined;
  for (const pid of pids) {
    for (const fd of await readdir(`/proc/${pid}/fd`).catch(() => [] as string[])) {
      const target = await readlink(`/proc/${pid}/fd/${fd}`).catch(() => '');
      if (target === `socket:[${inode}]`) return pid;
    }
  }
  return undefined;
}

describe('workers: 2 (node:cluster)', () => {
  let backend: Upstream;
  let slow: Upstream;
  let gw: ChildGateway;
  let port: number;

  const workerPids = () =>
    gw.lines.filter((line) => line.msg === 'worker listening').map((line) => line.pid as number);
  /** Sends one request on each of `count` new connections; returns the statuses and who served each. */
  const spread = async (path: string, count: number) => {
    const pids = workerPids().slice(-2);
    const results: { status: number; pid: number | undefined }[] = [];
    const open = await Promise.all(Array.from({ length: count }, () => connection(port)));
    for (const { socket, get } of open) {
      const status = await get(path);
      results.push({ status, pid: await ownerOf(pids, port, socket.localPort ?? 0) });
    }
    for (const { socket } of open) socket.destroy();
    return results;
  };

  before(async () => {
    backend = await startUpstream();
    slow = await startUpstream((_req, res) => {
      setTimeout(() => res.writeHead(200, { 'content-length': '4' }).end('slow'), 1000);
    });
    gw = await startChildGateway({
      files: { 'app.yml': route('app', 'PathPrefix(`/app`)', backend.url) },
      args: ['--workers=2'],
      // Worker 1 listens on web and traefik, worker 2 on web.
      listeningLines: 3,
      staticExtra: 'api:\n  insecure: true\nmetrics:\n  prometheus: {}\n',
    });
    port = Number(new URL(gw.url('web')).port);
    await eventually(() => workerPids().length === 2);
  });

  after(async () => {
    await gw?.close();
    await backend?.close();
    await slow?.close();
  });

  it('serves from both workers, on one port', async () => {
    const results = await spread('/app/x', 6);
    assert.deepEqual(
      results.map((r) => r.status),
      [200, 200, 200, 200, 200, 200],
    );
    assert.deepEqual(new Set(results.map((r) => r.pid)), new Set(workerPids()));
  });

  it('gives a configuration change to both workers', async () => {
    await writeDynamic(gw, 'new.yml', route('fresh', 'PathPrefix(`/fresh`)', backend.url));
    await eventually(async () => (await spread('/fresh/x', 1))[0]?.status === 200);
    const results = await spread('/fresh/x', 6);
    assert.deepEqual(
      results.map((r) => r.status),
      [200, 200, 200, 200, 200, 200],
    );
    assert.equal(new Set(results.map((r) => r.pid)).size, 2, 'both workers answered');
  });

  it('sums every worker in /metrics, on the admin entrypoint of worker 1', async () => {
    const served = backend.received.length;
    const text = await fetch(`${gw.url('traefik')}/metrics`).then((r) => r.text());
    const counted = [
      ...text.matchAll(/^traefik_service_requests_total\{[^}]*service="(?:app|fresh)@file"[^}]*\} (\d+)/gm),
    ]
      .map((m) => Number(m[1]))
      .reduce((sum, n) => sum + n, 0);
    assert.equal(counted, served);
    assert.match(text, /^traefik_config_reloads_total 2$/m, 'each load once, not once per worker');
  });

  it('replaces a worker that dies', async () => {
    const [, second] = workerPids();
    process.kill(second as number, 'SIGKILL');
    await eventually(() => workerPids().length === 3);
    const results = await spread('/app/x', 4);
    assert.deepEqual(
      results.map((r) => r.status),
      [200, 200, 200, 200],
    );
  });

  it('drains both workers on SIGTERM: requests in flight finish, then the process exits 0', async () => {
    await writeDynamic(gw, 'slow.yml', route('slow', 'PathPrefix(`/slow`)', slow.url));
    await eventually(
      async () => (await spread('/app/x', 1))[0]?.status === 200 && (await probe('/slow/x')) === 200,
    );
    const pids = workerPids().slice(-2);
    const open = await Promise.all(Array.from({ length: 4 }, () => connection(port)));
    const owners = await Promise.all(open.map(({ socket }) => ownerOf(pids, port, socket.localPort ?? 0)));
    assert.equal(new Set(owners).size, 2, 'the slow requests sit on both workers');
    const answers = open.map(({ get }) => get('/slow/x'));
    await new Promise((resolve) => setTimeout(resolve, 200));
    gw.child.kill('SIGTERM');
    assert.deepEqual(await Promise.all(answers), [200, 200, 200, 200]);
    assert.equal(await gw.exited, 0);
    for (const pid of pids) assert.throws(() => process.kill(pid, 0), /ESRCH/);
  });

  const probe = async (path: string) => (await spread(path, 1))[0]?.status;
});

/** Adds a dynamic file the way an editor saves one. */
async function writeDynamic(gw: ChildGateway, name: string, text: string): Promise<void> {
  await writeFile(join(gw.dynamicDir, `.${name}.tmp`), text);
  await rename(join(gw.dynamicDir, `.${name}.tmp`), join(gw.dynamicDir, name));
}

describe('workers in the static configuration', () => {
  const workersOf = async (argv: string[], env: Record<string, string> = {}) =>
    (await loadStaticConfig({ argv: ['--entryPoints.web.address=:0', ...argv], env, cwd: '/' })).config
      .workers;

  it('is 1 by default, set by --workers or GATEWAY_WORKERS (the flag wins), 1 to 64', async () => {
    assert.equal(await workersOf([]), 1);
    assert.equal(await workersOf([], { GATEWAY_WORKERS: '3' }), 3);
    assert.equal(await workersOf(['--workers=2'], { GATEWAY_WORKERS: '3' }), 2);
    await assert.rejects(workersOf(['--workers=0']), /workers/);
    await assert.rejects(workersOf(['--workers=65']), /workers/);
  });
});
