#!/usr/bin/env node
/**
 * `npm start`: runs the whole stack as local processes with prefixed logs, prints where everything is,
 * and stops every child cleanly on Ctrl-C or SIGTERM. Children also stop on their own if this process dies
 * (they watch their IPC channel).
 */
import type { LineSink } from './child.ts';
import { loadStackConfig, stackPorts } from './config.ts';
import { type Stack, startStack } from './launcher.ts';
import { formatLogLine } from './log-format.ts';
import { describePortsInUse, portsInUse } from './ports-in-use.ts';
import { stackProcesses } from './stack.ts';

const COLORS = [36, 33, 35, 32, 34, 31];

async function main(): Promise<void> {
  let config: ReturnType<typeof loadStackConfig>;
  try {
    config = loadStackConfig();
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    process.exit(2);
  }
  const busy = await portsInUse(stackPorts(config));
  if (busy.length > 0) {
    process.stderr.write(`${describePortsInUse(busy)}\n`);
    process.exit(2);
  }
  const specs = stackProcesses(config);
  const width = Math.max(...specs.map((s) => s.name.length));
  const color = process.stdout.isTTY && !process.env.NO_COLOR;
  const prefixes = new Map(
    specs.map((s, i) => {
      const label = s.name.padEnd(width);
      return [s.name, color ? `\x1b[${COLORS[i % COLORS.length]}m${label}\x1b[0m |` : `${label} |`];
    }),
  );
  // The lines of one event-loop turn go out in one write: under load the gateway's access log alone brings
  // thousands of lines a second, and each write to a terminal, file or pipe is a system call here.
  let pending = '';
  let scheduled = false;
  const flush = () => {
    scheduled = false;
    if (pending === '') return;
    const chunk = pending;
    pending = '';
    process.stdout.write(chunk);
  };
  const sink: LineSink = (name, line) => {
    pending += `${prefixes.get(name) ?? name} ${formatLogLine(line)}\n`;
    if (!scheduled) {
      scheduled = true;
      setImmediate(flush);
    }
  };

  let stack: Stack | undefined;
  let shuttingDown = false;
  const shutdown = async (reason: string, code: number) => {
    if (shuttingDown) return;
    shuttingDown = true;
    flush();
    process.stdout.write(`\n${reason}: stopping the stack...\n`);
    await stack?.stop();
    flush();
    process.stdout.write('all processes stopped.\n');
    process.exit(code);
  };
  process.on('SIGINT', () => void shutdown('Ctrl-C', 0));
  process.on('SIGTERM', () => void shutdown('SIGTERM', 0));

  startStack(specs, { sink }).then(
    (started) => {
      stack = started;
      if (shuttingDown) {
        void started.stop();
        return;
      }
      flush();
      const web = `http://localhost:${config.GATEWAY_WEB_PORT}`;
      const admin = `http://localhost:${config.GATEWAY_ADMIN_PORT}`;
      process.stdout.write(
        [
          '',
          'The stack is up.',
          `  gateway (web)    ${web}   routes /pybackend, /rbackend, /add`,
          `  gateway (https)  https://localhost:${config.GATEWAY_WEBSECURE_PORT}   route /bos-rf (basic auth; self-signed certificate)`,
          `  gateway (admin)  ${admin}/dashboard/   ${admin}/api/rawdata   ${admin}/metrics   ${admin}/ping`,
          `  identity         http://localhost:${config.IDENTITY_PORT}/.well-known/openid-configuration`,
          `  forward-auth     http://127.0.0.1:${config.FORWARD_AUTH_PORT}/auth`,
          `  pybackend-ts     http://127.0.0.1:${config.PYBACKEND_PORT}`,
          `  model-service    http://127.0.0.1:${config.MODEL_SERVICE_PORT}`,
          `  adder            http://127.0.0.1:${config.ADDER_HTTP_PORT}  grpc 127.0.0.1:${config.ADDER_GRPC_PORT}`,
          '',
          'Everything listens on 127.0.0.1 only: the demo credentials and the admin API stay on this machine.',
          `Try:  http :${config.GATEWAY_WEB_PORT}/pybackend "Authorization: Bearer foobar"`,
          'Ctrl-C stops everything.',
          '',
        ].join('\n'),
      );
      started.crashed.then((exit) =>
        shutdown(`${exit.name} exited unexpectedly (code ${exit.code ?? exit.signal})`, 1),
      );
    },
    (err: unknown) => {
      flush();
      process.stderr.write(`\nThe stack did not start: ${(err as Error).message}\n`);
      process.exit(1);
    },
  );
}

await main();
