/**
 * `npm run bench -w bench`: our gateway against nginx with `auth_request`, in the same run, on the same backends.
 *
 * Both front the real forward-auth and pybackend-ts processes. Each scenario is loaded with wrk for the same
 * duration and connection count; the table shows requests/s and latency percentiles, and the ratios that matter:
 * gateway throughput / nginx throughput and gateway p99 / nginx p99. The backend alone is measured too, as the ceiling.
 *
 * Needs Debian's `nginx-light` (or `nginx`) and `wrk`: `apt-get install -y nginx-light wrk`.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  freePorts,
  freeStackConfig,
  repoRoot,
  type Stack,
  stackProcesses,
  startStack,
  waitForHttp,
} from '@gateway-pattern/stack';
import { startNginx } from './nginx.ts';
import { type WrkResult, wrk } from './wrk.ts';

const DURATION = Number(process.env.BENCH_DURATION_SEC ?? 8);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 16);

function need(tool: string, hint: string): void {
  try {
    execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
  } catch {
    process.stderr.write(`bench needs ${tool}: ${hint}\n`);
    process.exit(2);
  }
}

async function main(): Promise<void> {
  need('nginx', 'apt-get install -y nginx-light');
  need('wrk', 'apt-get install -y wrk');

  const config = await freeStackConfig();
  const [nginxPort] = await freePorts(1);
  const dir = await mkdtemp(join(tmpdir(), 'gateway-bench-'));
  // The same dynamic configuration as `npm start`, without the access log (nginx runs with access_log off too).
  const staticFile = join(dir, 'gateway.yml');
  await writeFile(
    staticFile,
    [
      'entryPoints:',
      `  web: { address: "127.0.0.1:${config.GATEWAY_WEB_PORT}" }`,
      `  traefik: { address: "127.0.0.1:${config.GATEWAY_ADMIN_PORT}" }`,
      'ping: {}',
      'providers:',
      '  file:',
      `    directory: ${JSON.stringify(join(repoRoot, 'infra', 'gateway', 'dynamic'))}`,
      '    watch: false',
      '',
    ].join('\n'),
  );
  const wanted = new Set(['forward-auth', 'pybackend', 'gateway']);
  const specs = stackProcesses(config)
    .filter((spec) => wanted.has(spec.name))
    .map((spec) =>
      spec.name === 'gateway' ? { ...spec, args: ['src/cli.ts', '--configFile', staticFile] } : spec,
    );

  let stack: Stack | undefined;
  const nginx = await startNginx({
    dir,
    port: nginxPort!,
    authUrl: `http://127.0.0.1:${config.FORWARD_AUTH_PORT}/auth`,
    backendUrl: `http://127.0.0.1:${config.PYBACKEND_PORT}`,
  });
  try {
    stack = await startStack(specs, { sink: (name, line) => process.stderr.write(`${name} | ${line}\n`) });
    await waitForHttp(`http://127.0.0.1:${nginxPort}/pybackend`, 10_000);

    const good = { authorization: 'Bearer foobar' };
    const bad = { authorization: 'Bearer wrong' };
    const scenarios: Array<{ name: string; path: string; headers: Record<string, string> }> = [
      { name: 'authorised GET /pybackend/foobar', path: '/pybackend/foobar', headers: good },
      { name: 'rejected (wrong token)', path: '/pybackend/foobar', headers: bad },
    ];
    process.stdout.write(
      `\nGateway vs nginx auth_request: wrk, 1 thread, ${CONNECTIONS} connections, ${DURATION}s per run, 2s warm-up\n\n`,
    );
    const direct = await measure(`http://127.0.0.1:${config.PYBACKEND_PORT}/foobar`, {});
    process.stdout.write(`backend alone (ceiling): ${format(direct)}\n\n`);
    for (const scenario of scenarios) {
      const ours = await measure(
        `http://127.0.0.1:${config.GATEWAY_WEB_PORT}${scenario.path}`,
        scenario.headers,
      );
      const theirs = await measure(`http://127.0.0.1:${nginxPort}${scenario.path}`, scenario.headers);
      process.stdout.write(`${scenario.name}\n`);
      process.stdout.write(`  gateway  ${format(ours)}\n`);
      process.stdout.write(`  nginx    ${format(theirs)}\n`);
      process.stdout.write(
        `  ratio    throughput gateway/nginx ${(ours.requestsPerSec / theirs.requestsPerSec).toFixed(2)}x, ` +
          `p99 gateway/nginx ${(ours.p99 / theirs.p99).toFixed(2)}x\n\n`,
      );
    }
  } finally {
    nginx.kill('SIGQUIT');
    await stack?.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

async function measure(url: string, headers: Record<string, string>): Promise<WrkResult> {
  await wrk({ url, headers, connections: CONNECTIONS, durationSec: 2 });
  await sleep(200);
  return wrk({ url, headers, connections: CONNECTIONS, durationSec: DURATION });
}

function format(r: WrkResult): string {
  return (
    `${r.requestsPerSec.toFixed(0).padStart(6)} req/s  p50 ${r.p50.toFixed(2)} ms  p90 ${r.p90.toFixed(2)} ms  ` +
    `p99 ${r.p99.toFixed(2)} ms  (${r.requests} requests, ${r.errors} non-2xx/errors)`
  );
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${(err as Error).stack ?? err}\n`);
  process.exit(1);
});
