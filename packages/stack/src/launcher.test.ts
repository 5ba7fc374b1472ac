import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { describe, it } from 'node:test';
import type { ProcessSpec } from './child.ts';
import { freePorts } from './free-ports.ts';
import { StackStartError, startStack } from './launcher.ts';
import { formatLogLine } from './log-format.ts';

// Tiny stand-in processes: the launcher supervises any Node program, these exercise its contract.
const server = (port: number) =>
  `require('node:http').createServer((q, s) => s.end('ok')).listen(${port}, '127.0.0.1', () => console.log('listening'));
   process.on('SIGTERM', () => process.exit(0));`;

function spec(name: string, code: string, port: number): ProcessSpec {
  return { name, cwd: process.cwd(), args: ['-e', code], env: {}, readyUrl: `http://127.0.0.1:${port}/` };
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(true));
  });
}

describe('startStack', () => {
  it('starts processes in order, streams their lines, and stops them all', async () => {
    const [a, b] = await freePorts(2);
    const lines: string[] = [];
    const stack = await startStack([spec('a', server(a!), a!), spec('b', server(b!), b!)], {
      sink: (name, line) => lines.push(`${name}:${line}`),
    });
    assert.deepEqual([...stack.children.keys()], ['a', 'b']);
    assert.ok(lines.includes('a:listening') && lines.includes('b:listening'));
    const exits = await stack.stop();
    assert.equal(exits.length, 2);
    assert.ok(await portIsFree(a!));
    assert.ok(await portIsFree(b!));
  });

  it('stops what it started when a later process dies during start-up', async () => {
    const [a, b] = await freePorts(2);
    await assert.rejects(
      startStack([spec('a', server(a!), a!), spec('b', 'process.exit(3)', b!)], { sink: () => {} }),
      (err: unknown) => err instanceof StackStartError && /b exited \(code 3\)/.test(err.message),
    );
    assert.ok(await portIsFree(a!), 'the first process must have been stopped');
  });

  it('gives up on a process that never becomes ready', async () => {
    const [a] = await freePorts(1);
    await assert.rejects(
      startStack([spec('slow', 'setInterval(() => {}, 1000)', a!)], { sink: () => {}, readyTimeoutMs: 500 }),
      /slow .*did not become ready/,
    );
  });

  it('reports a crash after start-up', async () => {
    const [a] = await freePorts(1);
    const code = `${server(a!)} setTimeout(() => process.exit(7), 300);`;
    const stack = await startStack([spec('crashy', code, a!)], { sink: () => {} });
    const exit = await stack.crashed;
    assert.deepEqual(exit, { name: 'crashy', code: 7, signal: null });
  });
});

describe('formatLogLine', () => {
  it('turns pino JSON into a readable line and passes other text through', () => {
    const line = JSON.stringify({
      level: 30,
      time: 1,
      pid: 2,
      hostname: 'h',
      service: 's',
      msg: 'request',
      status: 200,
    });
    assert.equal(formatLogLine(line), 'info  request status=200');
    assert.equal(formatLogLine('plain text'), 'plain text');
    assert.equal(formatLogLine('{not json'), '{not json');
  });
});
