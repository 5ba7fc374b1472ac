import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type Server } from 'node:net';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { PORT_VARIABLES } from './config.ts';
import { freePorts } from './free-ports.ts';
import { describePortsInUse, portsInUse } from './ports-in-use.ts';

const servers: Server[] = [];

async function occupy(host: string): Promise<number> {
  const server = createServer();
  servers.push(server);
  server.listen(0, host);
  await once(server, 'listening');
  const address = server.address();
  assert.ok(address !== null && typeof address === 'object');
  return address.port;
}

after(() => {
  for (const server of servers) server.close();
});

describe('portsInUse', () => {
  it('finds ports taken on loopback and on every interface, and passes free ones', async () => {
    const loopback = await occupy('127.0.0.1');
    const wildcard = await occupy('0.0.0.0');
    const [free] = await freePorts(1);
    const busy = await portsInUse([
      { variable: 'GATEWAY_WEB_PORT', port: loopback },
      { variable: 'GATEWAY_ADMIN_PORT', port: wildcard },
      { variable: 'PYBACKEND_PORT', port: free ?? 0 },
    ]);
    assert.deepEqual(
      busy.map((b) => [b.variable, b.reason]),
      [
        ['GATEWAY_WEB_PORT', 'EADDRINUSE'],
        ['GATEWAY_ADMIN_PORT', 'EADDRINUSE'],
      ],
    );
  });

  it('says which ports and what to do in one line', () => {
    const line = describePortsInUse([{ variable: 'GATEWAY_WEB_PORT', port: 8000, reason: 'EADDRINUSE' }]);
    assert.equal(
      line,
      'Port 8000 (GATEWAY_WEB_PORT) is already in use: is a stack already running? Stop it (Ctrl-C in its terminal), or choose other ports, e.g. GATEWAY_WEB_PORT=9000 npm start.',
    );
    assert.doesNotMatch(line, /\n/);
  });
});

describe('npm start beside a running stack', () => {
  it('refuses before starting anything, naming the port', async () => {
    const taken = await occupy('127.0.0.1');
    const ports = await freePorts(PORT_VARIABLES.length);
    const env: NodeJS.ProcessEnv = { ...process.env };
    for (const [i, name] of PORT_VARIABLES.entries()) env[name] = String(ports[i]);
    env.GATEWAY_ADMIN_PORT = String(taken);
    const cli = spawn(process.execPath, [fileURLToPath(new URL('./cli.ts', import.meta.url))], { env });
    let stdout = '';
    let stderr = '';
    cli.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk;
    });
    cli.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk;
    });
    const [code] = await once(cli, 'exit');
    assert.equal(code, 2);
    assert.equal(stdout, '', 'no service was started');
    assert.equal(stderr.trim().split('\n').length, 1);
    assert.match(stderr, new RegExp(`^Port ${taken} \\(GATEWAY_ADMIN_PORT\\) is already in use`));
  });
});
