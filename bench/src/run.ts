/**
 * `npm run bench` (this workspace's part): the gateway against nginx in one run, on the same peers, in
 * alternating rounds with medians and the ratios printed. `--quick` (`npm run bench -- --quick`) runs shorter
 * rounds. Writes `bench/results/<date>.json` and `bench/results/<date>.md` (the table the README shows).
 *
 * Scenarios, each against nginx with `auth_request` (or plain proxying) on the same peers:
 * - forward auth on trivial Node peers (an auth server accepting one token, a JSON backend), 1 worker each,
 *   then 2 workers each;
 * - no auth (plain proxy);
 * - forward auth with the gateway's decision cache (`cachedForwardAuth`) against nginx's uncached auth_request;
 * - a JWT validated in the gateway (`plugin: jwt`) against nginx sending it to an auth server, which only
 *   compares it with the one it expects (no signature check: that favours nginx);
 * - the real forward-auth and pybackend-ts (signed identity assertions on, as `npm start` runs them), without
 *   and with the cache;
 * - forward auth on the trivial peers against nginx with its default upstream settings (no keep-alive, HTTP/1.0
 *   upstream), as most nginx configurations run; the tuned nginx above stays the one the goals are judged by;
 * - the real forward-auth and pybackend-ts against the seed walkthrough's stack (seed-stack.ts: nginx
 *   auth_request → FastAPI check, FastAPI backend), without a decision cache and with the local profile's
 *   (infra/gateway/gateway.extensions.yml). Skipped, with a message, when FastAPI and uvicorn are not installed.
 *
 * Needs Debian's `nginx-light` (or `nginx`) and `wrk`: `apt-get install -y nginx-light wrk`; for the seed's
 * stack `apt-get install -y --no-install-recommends python3-fastapi python3-uvicorn`.
 * Env: BENCH_DURATION_SEC, BENCH_ROUNDS, BENCH_CONNECTIONS override the mode's figures; BENCH_PYTHON names the
 * Python that has FastAPI (default: /usr/bin/python3, then python3).
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import {
  freePorts,
  freeStackConfig,
  repoRoot,
  type Stack,
  stackProcesses,
  startStack,
  waitForHttp,
} from '@gateway-pattern/stack';
import { batches } from './batches.ts';
import { writeGatewayConfig } from './gateway-config.ts';
import { benchJwt } from './jwt.ts';
import { nginxConfig, startNginx } from './nginx.ts';
import {
  type BenchReport,
  type Goal,
  goalMet,
  machine,
  markdown,
  p99Ratio,
  type ScenarioResult,
  throughputRatio,
} from './report.ts';
import { type RoundOptions, rotate, type Series, type Target } from './rounds.ts';
import { findSeedPython, startSeedStack } from './seed-stack.ts';
import { wrk } from './wrk.ts';

const quick = process.argv.includes('--quick');
const options: RoundOptions = {
  rounds: Number(process.env.BENCH_ROUNDS ?? (quick ? 2 : 5)),
  durationSec: Number(process.env.BENCH_DURATION_SEC ?? (quick ? 1 : 5)),
  // wrk takes whole seconds. --quick warms each process once (on its first scenario), not each scenario.
  warmupSec: quick ? 1 : 2,
  connections: Number(process.env.BENCH_CONNECTIONS ?? 16),
};

function need(tool: string, hint: string): void {
  try {
    execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
  } catch {
    process.stderr.write(`bench needs ${tool}: ${hint}\n`);
    process.exit(2);
  }
}

/** Twelve of `T`, for the ports the bench takes in one go. */
type Twelve<T> = [T, T, T, T, T, T, T, T, T, T, T, T];

/** Starts a trivial peer (peers/trivial-servers.ts) and resolves with its URL once it listens. */
async function peer(
  kind: 'auth' | 'backend' | 'jwks',
  env: Record<string, string> = {},
): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(
    process.execPath,
    [join(import.meta.dirname, 'peers', 'trivial-servers.ts'), kind, '0'],
    {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  const [line] = (await once(lines, 'line')) as [string];
  const port = /^listening (\d+)$/.exec(line)?.[1];
  if (port === undefined) throw new Error(`peer ${kind} said: ${line}`);
  return { url: `http://127.0.0.1:${port}`, child };
}

/**
 * Starts a gateway process (`gateway --configFile`), pushed onto `children` at once (so it is stopped even if it
 * never answers), and resolves once its /ping answers.
 */
async function gateway(
  staticFile: string,
  adminPort: number,
  env: Record<string, string>,
  children: ChildProcess[],
): Promise<void> {
  const child = spawn(process.execPath, ['src/cli.ts', '--configFile', staticFile], {
    cwd: join(repoRoot, 'apps', 'gateway'),
    env: { ...process.env, ...env, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  children.push(child);
  await waitForHttp(`http://127.0.0.1:${adminPort}/ping`, 20_000);
}

async function stopProcess(
  child: ChildProcess | undefined,
  signal: NodeJS.Signals = 'SIGTERM',
): Promise<void> {
  if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

/** One scenario's figures as the console shows them. */
function summary(result: ScenarioResult): string {
  const { gateway: gw, peer } = result;
  const met = goalMet(result);
  const peerLabel = (result.peerName ?? 'nginx').padEnd(7);
  const label = (text: string) => text.padEnd(peerLabel.length);
  return (
    `${result.title}\n` +
    `  ${label('gateway')} ${Math.round(gw.rps).toString().padStart(6)} req/s  p50 ${gw.p50.toFixed(2)} ms  p99 ${gw.p99.toFixed(2)} ms  (${result.gatewaySetup})\n` +
    `  ${peerLabel} ${Math.round(peer.rps).toString().padStart(6)} req/s  p50 ${peer.p50.toFixed(2)} ms  p99 ${peer.p99.toFixed(2)} ms  (${result.peerSetup})\n` +
    `  ${label('ratio')} throughput ${throughputRatio(result).toFixed(2)}x, p99 ${p99Ratio(result).toFixed(2)}x` +
    `${met === undefined ? '' : met ? '  goal met' : '  goal NOT met'}` +
    `${gw.errors + peer.errors > 0 ? `  (${gw.errors} + ${peer.errors} errors)` : ''}\n\n`
  );
}

async function main(): Promise<void> {
  need('nginx', 'apt-get install -y nginx-light');
  need('wrk', 'apt-get install -y wrk');
  const dir = await mkdtemp(join(tmpdir(), 'gateway-bench-'));
  const children: ChildProcess[] = [];
  let stack: Stack | undefined;
  try {
    const jwt = benchJwt();
    const trivialAuth = await peer('auth');
    const jwtAuth = await peer('auth', { AUTH_TOKEN: jwt.token });
    const trivialBackend = await peer('backend');
    const jwks = await peer('jwks', { JWKS: jwt.jwks });
    children.push(trivialAuth.child, jwtAuth.child, trivialBackend.child, jwks.child);

    // The real forward-auth and pybackend-ts, as npm start runs them (signed identity on), logging warnings only.
    const config = await freeStackConfig({ LOG_LEVEL: 'warn' });
    const wanted = new Set(['forward-auth', 'pybackend']);
    stack = await startStack(
      stackProcesses(config).filter((spec) => wanted.has(spec.name)),
      // Their errors only: start-up warnings (demo tokens on, no identity provider to discover) are expected here.
      {
        sink: (name, line) =>
          /"level":(5|6)\d/.test(line) ? process.stderr.write(`${name} | ${line}\n`) : undefined,
      },
    );
    const forwardAuthUrl = `http://127.0.0.1:${config.FORWARD_AUTH_PORT}`;
    const pybackendUrl = `http://127.0.0.1:${config.PYBACKEND_PORT}`;

    const [
      gw1Web,
      gw1Admin,
      gw2Web,
      gw2Admin,
      gwLocalWeb,
      gwLocalAdmin,
      nginx1Port,
      nginx2Port,
      nginxDefaultsPort,
      seedNginxPort,
      seedAuthPort,
      seedBackendPort,
    ] = (await freePorts(12)) as Twelve<number>;
    const peers = {
      trivialAuth: `${trivialAuth.url}/auth`,
      trivialBackend: trivialBackend.url,
      jwks: `${jwks.url}/jwks`,
      jwtIssuer: jwt.issuer,
      jwtAudience: jwt.audience,
    };
    const gatewayEnv = { FORWARD_AUTH_URL: forwardAuthUrl, PYBACKEND_URL: pybackendUrl };
    const gw1Static = await writeGatewayConfig(join(dir, 'gw1'), {
      webPort: gw1Web,
      adminPort: gw1Admin,
      workers: 1,
      peers,
    });
    const gw2Static = await writeGatewayConfig(join(dir, 'gw2'), {
      webPort: gw2Web,
      adminPort: gw2Admin,
      workers: 2,
      peers,
    });
    // As npm start runs it: infra/gateway/gateway.extensions.yml beside gateway.yml (forwardAuthCache).
    const gwLocalStatic = await writeGatewayConfig(join(dir, 'gw-local'), {
      webPort: gwLocalWeb,
      adminPort: gwLocalAdmin,
      workers: 1,
      peers,
      localProfile: true,
    });
    const seed = findSeedPython();
    if (seed === undefined) {
      process.stderr.write(
        'bench: FastAPI and uvicorn not found (BENCH_PYTHON, /usr/bin/python3, python3): skipping the seed stack rows; ' +
          'apt-get install -y --no-install-recommends python3-fastapi python3-uvicorn\n',
      );
    }
    // Side by side to save the --quick run some seconds; every start settles before a failure is thrown, so
    // nothing is left running past the cleanup below.
    const started = await Promise.allSettled([
      gateway(gw1Static, gw1Admin, gatewayEnv, children),
      gateway(gw2Static, gw2Admin, gatewayEnv, children),
      gateway(gwLocalStatic, gwLocalAdmin, gatewayEnv, children),
      seed === undefined
        ? Promise.resolve()
        : startSeedStack(
            seed,
            join(dir, 'seed'),
            { nginx: seedNginxPort, auth: seedAuthPort, backend: seedBackendPort },
            children,
          ),
    ]);
    for (const outcome of started) if (outcome.status === 'rejected') throw outcome.reason;
    const nginxSetup = {
      trivialAuth: `${trivialAuth.url}/auth`,
      jwtAuth: `${jwtAuth.url}/auth`,
      trivialBackend: trivialBackend.url,
      forwardAuth: `${forwardAuthUrl}/auth?aud=pybackend-ts&aud=model-service`,
      pybackend: pybackendUrl,
    };
    for (const [name, port, workers, upstreamKeepAlive] of [
      ['nginx1', nginx1Port, 1, true],
      ['nginx2', nginx2Port, 2, true],
      ['nginx-defaults', nginxDefaultsPort, 1, false],
    ] as const) {
      const nginxDir = join(dir, name);
      children.push(
        await startNginx(
          nginxDir,
          nginxConfig({ ...nginxSetup, dir: nginxDir, port, workers, upstreamKeepAlive }),
        ),
      );
      await waitForHttp(`http://127.0.0.1:${port}/plain/`, 10_000);
    }

    const token = { authorization: 'Bearer foobar' };
    const bearerJwt = { authorization: `Bearer ${jwt.token}` };
    const at = (port: number, path: string, headers: Record<string, string>): Target => ({
      url: `http://127.0.0.1:${port}${path}`,
      headers,
    });
    const scenarios: {
      id: string;
      title: string;
      gatewaySetup: string;
      /** What the peer is, when not the tuned nginx. */
      peerName?: string;
      peerSetup: string;
      gateway: Target;
      peer: Target;
      goal?: Goal;
      /** Consecutive scenarios of one group are measured in the same rounds, each distinct target once (batches.ts). */
      together?: string;
    }[] = [
      {
        id: 'forward-auth',
        title: 'forward auth, trivial peers',
        gatewaySetup: 'forwardAuth + stripPrefix, 1 process',
        peerSetup: 'auth_request + rewrite, 1 worker',
        gateway: at(gw1Web, '/fa/foobar', token),
        peer: at(nginx1Port, '/fa/foobar', token),
        goal: { minThroughput: 1, maxP99: 1.2 },
        together: 'fa',
      },
      {
        id: 'forward-auth-nginx-defaults',
        title: 'forward auth, trivial peers, vs nginx with default upstream settings (no keep-alive)',
        gatewaySetup: 'forwardAuth + stripPrefix, 1 process',
        peerName: 'nginx, default upstreams',
        peerSetup:
          'auth_request + rewrite, 1 worker, no keepalive pool, proxy_http_version 1.0 (the defaults)',
        gateway: at(gw1Web, '/fa/foobar', token),
        peer: at(nginxDefaultsPort, '/fa/foobar', token),
        together: 'fa',
      },
      {
        id: 'no-auth',
        title: 'no auth (proxy only)',
        gatewaySetup: 'stripPrefix, 1 process',
        peerSetup: 'rewrite + proxy_pass, 1 worker',
        gateway: at(gw1Web, '/plain/foobar', {}),
        peer: at(nginx1Port, '/plain/foobar', {}),
        goal: { minThroughput: 1 },
      },
      {
        id: 'forward-auth-cached',
        title: 'forward auth with the decision cache',
        gatewaySetup: 'cachedForwardAuth (ttl 10 s), 1 process',
        peerSetup: 'auth_request (uncached), 1 worker',
        gateway: at(gw1Web, '/cached/foobar', token),
        peer: at(nginx1Port, '/fa/foobar', token),
        goal: { minThroughput: 1.5 },
      },
      {
        id: 'jwt',
        title: 'JWT (RS256) validated in the gateway',
        gatewaySetup: 'plugin jwt (JWKS cached), 1 process',
        peerSetup: 'auth_request to a token-comparing server, 1 worker',
        gateway: at(gw1Web, '/jwt/foobar', bearerJwt),
        peer: at(nginx1Port, '/jwt/foobar', bearerJwt),
        goal: { minThroughput: 1.5 },
      },
      {
        id: 'forward-auth-2-workers',
        title: 'forward auth, trivial peers, 2 workers each',
        gatewaySetup: 'forwardAuth + stripPrefix, workers: 2',
        peerSetup: 'auth_request + rewrite, worker_processes 2',
        gateway: at(gw2Web, '/fa/foobar', token),
        peer: at(nginx2Port, '/fa/foobar', token),
      },
      {
        id: 'stack',
        title: 'real forward-auth + pybackend-ts',
        gatewaySetup: 'auth-pybackend (infra/gateway/dynamic) + stripPrefix',
        peerSetup: 'auth_request to forward-auth, 5 identity headers copied',
        gateway: at(gw1Web, '/pybackend/foobar', token),
        peer: at(nginx1Port, '/pybackend/foobar', token),
        together: 'pybackend',
      },
      {
        id: 'stack-cached',
        title: 'real forward-auth + pybackend-ts, decision cache',
        gatewaySetup: 'auth-pybackend as cachedForwardAuth (ttl 10 s)',
        peerSetup: 'auth_request to forward-auth (uncached)',
        gateway: at(gw1Web, '/cached-pybackend/foobar', token),
        peer: at(nginx1Port, '/pybackend/foobar', token),
        together: 'pybackend',
      },
    ];
    if (seed !== undefined) {
      const seedSetup = `nginx auth_request (keep-alive) → FastAPI check, FastAPI backend; ${seed.versions}, 1 process each, no access log`;
      scenarios.push(
        {
          id: 'seed-stack',
          title: "our stack vs the seed's stack (nginx + FastAPI), no decision cache",
          gatewaySetup:
            'real forward-auth + pybackend-ts, auth-pybackend as plain forwardAuth, no access log',
          peerName: 'seed stack',
          peerSetup: seedSetup,
          gateway: at(gw1Web, '/pybackend/foobar', token),
          peer: at(seedNginxPort, '/pybackend/foobar', token),
          goal: { minThroughput: 3 },
          together: 'pybackend',
        },
        {
          id: 'seed-stack-local-profile',
          title: "our stack vs the seed's stack (nginx + FastAPI), the local profile's decision cache",
          gatewaySetup:
            'the same + gateway.extensions.yml as npm start (forwardAuthCache ttl 5 s), no access log',
          peerName: 'seed stack',
          peerSetup: seedSetup,
          gateway: at(gwLocalWeb, '/pybackend/foobar', token),
          peer: at(seedNginxPort, '/pybackend/foobar', token),
          goal: { minThroughput: 3 },
          together: 'pybackend',
        },
      );
    }

    // Every path answers 200 on both sides before anything is measured.
    for (const scenario of scenarios) {
      for (const target of [scenario.gateway, scenario.peer]) {
        const response = await fetch(target.url, { headers: target.headers });
        await response.arrayBuffer();
        if (response.status !== 200) throw new Error(`${target.url} answered ${response.status}, not 200`);
      }
    }

    process.stdout.write(
      `\nGateway vs its peer (the tuned nginx unless named), wrk -t1 -c${options.connections}: ${options.rounds} alternating rounds of ` +
        `${options.durationSec} s per side after ${options.warmupSec} s of warm-up, medians${quick ? ' (--quick)' : ''}\n\n`,
    );
    const results: ScenarioResult[] = [];
    const warmed = new Set<string>();
    for (const batch of batches(scenarios)) {
      // --quick warms each process once, on the first target that reaches it; a full run warms every target.
      const toWarm = batch.targets.filter((target) => {
        const host = new URL(target.url).host;
        const cold = !warmed.has(host);
        warmed.add(host);
        return !quick || cold;
      });
      for (const target of toWarm)
        await wrk({ ...target, connections: options.connections, durationSec: options.warmupSec });
      const series = await rotate(batch.targets, { ...options, warmupSec: 0 });
      batch.scenarios.forEach((scenario, i) => {
        const [gatewaySide, peerSide] = batch.sides[i] as readonly [number, number];
        const result: ScenarioResult = {
          id: scenario.id,
          title: scenario.title,
          gatewaySetup: scenario.gatewaySetup,
          peerName: scenario.peerName ?? 'nginx',
          peerSetup: scenario.peerSetup,
          gateway: series[gatewaySide] as Series,
          peer: series[peerSide] as Series,
          ...(scenario.goal ? { goal: scenario.goal } : {}),
        };
        results.push(result);
        process.stdout.write(summary(result));
      });
    }

    const date = new Date().toISOString();
    const report: BenchReport = {
      date,
      machine: machine(),
      settings: { ...options, quick, wrkThreads: 1 },
      scenarios: results,
    };
    const resultsDir = join(repoRoot, 'bench', 'results');
    await mkdir(resultsDir, { recursive: true });
    const stem = date.slice(0, 19).replaceAll(':', '-');
    await writeFile(join(resultsDir, `${stem}.json`), `${JSON.stringify(report, null, 2)}\n`);
    const table = markdown(report);
    await writeFile(join(resultsDir, `${stem}.md`), table);
    process.stdout.write(`${table}\nwritten: bench/results/${stem}.json and .md\n`);
  } finally {
    for (const child of children.reverse())
      await stopProcess(child, child.spawnfile === 'nginx' ? 'SIGQUIT' : 'SIGTERM');
    await stack?.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${(err as Error).stack ?? err}\n`);
  process.exit(1);
});
