/**
 * The compose rehearsal: compose.yaml's default-profile services run for real, each as the process its image
 * would run (the Dockerfile stage's CMD/ENTRYPOINT and WORKDIR, the service's environment and user), each in its
 * own network namespace with its service's address and every service name resolvable, started in depends_on
 * order once each dependency's condition holds, health-checked with the container's own health check command;
 * then the README's walkthrough goes to the gateway's published ports. Everything it created is removed at the
 * end, whatever happened.
 */

import { chmod, chown, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, relative } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { type BindMount, type ComposeProject, loadCompose, servicesFor } from '../compose-file.ts';
import { type ContainerPlan, missingCommand, planContainer } from '../container.ts';
import type { Healthcheck } from '../healthcheck.ts';
import { COMPOSE_FILE, NODE_24, REPO_ROOT } from '../paths.ts';
import { HostPaths } from './host-paths.ts';
import { createNetwork, type Network } from './network.ts';
import { type NamespacedCommand, runOnce, ServiceProcess } from './processes.ts';
import { WALKTHROUGH, type WalkthroughTargets } from './walkthrough.ts';

/** What the rehearsal does not check, said in its output and in the README. */
export const NOT_CHECKED = [
  'the image build (turbo prune, npm ci --omit=dev, the build stage): the checkout stands in for /app',
  'the file layout inside the images, and read_only, tmpfs and cap_drop',
  "Docker's own networking (port publishing on 127.0.0.1, NAT, its DNS): the bridge address stands in for 127.0.0.1",
  "named volumes' contents and owner as Docker copies them from the image: each starts as an empty directory owned by the service's user",
  'the load and traefik profiles (docker-compose config and the consistency tests cover their files)',
];

/** How to rehearse. */
export interface RehearsalOptions {
  readonly composeFile?: string;
  /** An already parsed file (tests rehearse broken variants of compose.yaml this way). */
  readonly project?: ComposeProject;
  /** Bound on the whole run, teardown excluded. */
  readonly timeoutMs?: number;
  /** Aborts the run (Ctrl-C); teardown still happens. */
  readonly signal?: AbortSignal;
  /** Receives the summary, line by line. */
  readonly print?: (line: string) => void;
  /** Receives every line the services print, when wanted. */
  readonly onServiceLine?: (service: string, line: string) => void;
}

/** The outcome. */
export interface RehearsalResult {
  readonly ok: boolean;
  readonly failures: readonly string[];
}

/** The published port each walkthrough endpoint is on (the README's ports). */
const PUBLISHED = { web: 8000, websecure: 8443, admin: 8080, identity: 4444, grpc: 50051 } as const;

/** The static problems that would stop the file from working before anything runs. */
function planProblems(project: ComposeProject, plans: readonly ContainerPlan[]): string[] {
  const problems: string[] = [];
  const active = new Map(plans.map((plan) => [plan.service.name, plan]));
  for (const plan of plans) {
    const name = plan.service.name;
    const missing = missingCommand(plan.argv, plan.image.base);
    if (missing) problems.push(`${name}: command ${plan.argv.join(' ')}: ${missing}`);
    else if (plan.argv[0] !== 'node')
      problems.push(`${name}: the rehearsal runs node commands only, not ${plan.argv[0]}`);
    const test = plan.healthcheck?.test;
    if (test?.kind === 'exec') {
      const why = missingCommand(test.argv, plan.image.base);
      if (why) problems.push(`${name}: health check ${test.argv.join(' ')}: ${why}`);
    } else if (test?.kind === 'shell') {
      const why = missingCommand(test.command.trim().split(/\s+/), plan.image.base);
      if (why) problems.push(`${name}: health check ${test.command}: ${why}`);
    }
    for (const [dependency, condition] of Object.entries(plan.service.dependsOn)) {
      const target = active.get(dependency);
      if (target === undefined) {
        const where = project.services.get(dependency)?.profiles.join(', ');
        problems.push(`${name}: depends on ${dependency}, which is only in profile ${where}`);
      } else if (condition === 'service_healthy' && target.healthcheck === undefined) {
        problems.push(
          `${name}: waits for ${dependency} to be healthy, but ${dependency} has no health check`,
        );
      }
    }
  }
  return problems;
}

/** The host-side command for a container command; `volumes` maps each named volume to its directory here. */
function hostCommand(
  plan: ContainerPlan,
  argv: readonly string[],
  namespace: string,
  home: string,
  volumes: ReadonlyMap<string, string>,
): NamespacedCommand {
  const named = plan.service.namedVolumes.map(
    (v): BindMount => ({ source: volumes.get(v.name) ?? '', target: v.target, readOnly: v.readOnly }),
  );
  const paths = new HostPaths([...plan.service.volumes, ...named], plan.service.build?.context ?? REPO_ROOT);
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(plan.env)) env[key] = paths.value(value);
  // `node` on the image's PATH is Node 24: so is the first entry here.
  env.PATH = `${dirname(NODE_24)}:${plan.env.PATH ?? '/usr/bin:/bin'}`;
  env.HOME = home;
  const [command = '', ...rest] = argv;
  return {
    namespace,
    argv: [command === 'node' ? NODE_24 : paths.value(command), ...rest.map((arg) => paths.value(arg))],
    cwd: paths.get(plan.workdir),
    env,
    uid: plan.uid,
    gid: plan.gid,
  };
}

function probeArgv(check: Healthcheck): string[] {
  return check.test.kind === 'exec' ? check.test.argv : ['/bin/sh', '-c', check.test.command];
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** Settles when `promise` does, or rejects when `signal` aborts. */
function until<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

interface Deferred {
  promise: Promise<void>;
  resolve: () => void;
}

function deferred(): Deferred {
  let resolve = () => {};
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/** Runs the rehearsal. Never throws for a failure of the stack: it reports it in the result. */
export async function rehearse(options: RehearsalOptions = {}): Promise<RehearsalResult> {
  const print = options.print ?? ((line: string) => process.stdout.write(`${line}\n`));
  const project = options.project ?? (await loadCompose(options.composeFile ?? COMPOSE_FILE));
  const file = project.file;
  const failures: string[] = [];
  const services = servicesFor(project);
  const plans = await Promise.all(services.map((service) => planContainer(service)));
  print(
    `compose rehearsal of ${relative(REPO_ROOT, file)}, default profile: ${plans.length} services as processes in network namespaces`,
  );
  const problems = planProblems(project, plans);
  if (problems.length > 0) {
    for (const problem of problems) print(`  FAIL  ${problem}`);
    return { ok: false, failures: problems };
  }

  const failed = new AbortController();
  const fail = (message: string) => {
    if (!failed.signal.aborted) failed.abort(new Error(message));
  };
  const signals = [failed.signal, AbortSignal.timeout(options.timeoutMs ?? 120_000)];
  if (options.signal) signals.push(options.signal);
  const signal = AbortSignal.any(signals);

  const processes = new Map<string, ServiceProcess>();
  let network: Network | undefined;
  let home: string | undefined;
  let volumesDir: string | undefined;
  let stopping = false;
  try {
    network = await createNetwork(plans.map((plan) => plan.service.name));
    print(
      `network ${network.subnet} on bridge ${network.bridge}; this machine is ${network.hostAddress} on it, ` +
        'standing in for 127.0.0.1 where compose publishes ports',
    );
    home = await mkdtemp(`${tmpdir()}/compose-rehearsal-home-`);
    // Named volumes: one directory each, shared by the services that mount it, owned by the first one's user
    // (Docker copies the image directory's owner; the Dockerfile gives it to that user).
    volumesDir = await mkdtemp(`${tmpdir()}/compose-rehearsal-volumes-`);
    await chmod(volumesDir, 0o711);
    const volumes = new Map<string, string>();
    for (const plan of plans) {
      for (const volume of plan.service.namedVolumes) {
        if (volumes.has(volume.name)) continue;
        const dir = `${volumesDir}/${volume.name}`;
        await mkdir(dir, { mode: 0o700 });
        await chown(dir, plan.uid, plan.gid);
        volumes.set(volume.name, dir);
      }
    }
    const started = new Map(plans.map((plan) => [plan.service.name, deferred()]));
    const healthy = new Map(plans.map((plan) => [plan.service.name, deferred()]));
    const exitedOk = new Map(plans.map((plan) => [plan.service.name, deferred()]));
    const homeDir = home;
    const net = network;

    const runService = async (plan: ContainerPlan): Promise<void> => {
      const name = plan.service.name;
      for (const [dependency, condition] of Object.entries(plan.service.dependsOn)) {
        const wanted =
          condition === 'service_started' ? started : condition === 'service_healthy' ? healthy : exitedOk;
        await until((wanted.get(dependency) as Deferred).promise, signal);
      }
      if (plan.uid !== 0) await chown(homeDir, plan.uid, plan.gid);
      const member = net.member(name);
      const command = hostCommand(plan, plan.argv, member.namespace, homeDir, volumes);
      const child = new ServiceProcess(name, command, options.onServiceLine);
      processes.set(name, child);
      const startedAt = Date.now();
      started.get(name)?.resolve();
      void child.exited.then((exit) => {
        if (exit.code === 0) exitedOk.get(name)?.resolve();
        if (!stopping) {
          fail(
            `${name} exited (${exit.signal ?? `code ${exit.code}`}); its last lines:\n      ${child.tail.slice(-8).join('\n      ')}`,
          );
        }
      });
      const check = plan.healthcheck;
      const waited = Object.entries(plan.service.dependsOn).map(
        ([d, c]) => `${d} ${c.replace('service_', '')}`,
      );
      const line =
        `  ${name.padEnd(14)} ${member.address.padEnd(14)} uid ${plan.uid}  ${plan.argv.join(' ')}  (in ${plan.workdir})` +
        (waited.length > 0 ? `, started once ${waited.join(', ')}` : '');
      if (check === undefined) {
        print(`${line}  started, no health check`);
        return;
      }
      const probe = hostCommand(plan, probeArgv(check), member.namespace, homeDir, volumes);
      // Docker gives up after the start period and `retries` failed probes, `interval` apart.
      const deadline = startedAt + check.startPeriodMs + check.retries * check.intervalMs + check.timeoutMs;
      let probes = 0;
      let last = '';
      for (;;) {
        signal.throwIfAborted();
        probes += 1;
        const result = await runOnce(probe, check.timeoutMs);
        if (result.ok) break;
        last = result.detail;
        if (Date.now() > deadline)
          throw new Error(`${name} never became healthy (${probes} probes; last: ${last})`);
        await sleep(Math.min(check.intervalMs, 500), undefined, { signal });
      }
      healthy.get(name)?.resolve();
      print(
        `${line}  healthy after ${seconds(Date.now() - startedAt)} (${probes} probe${probes === 1 ? '' : 's'})`,
      );
    };

    await until(
      Promise.all(
        plans.map((plan) =>
          runService(plan).catch((err: Error) => {
            fail(err.message);
            throw err;
          }),
        ),
      ),
      signal,
    );

    const publisher = (hostPort: number) => {
      for (const plan of plans) {
        const port = plan.service.ports.find((p) => p.hostPort === hostPort);
        if (port) return { address: net.member(plan.service.name).address, port: port.containerPort };
      }
      throw new Error(`no service of the default profile publishes port ${hostPort}`);
    };
    const endpoint = (scheme: string, hostPort: number) => {
      const { address, port } = publisher(hostPort);
      return { origin: `${scheme}://${address}:${port}`, host: `localhost:${hostPort}` };
    };
    const grpc = publisher(PUBLISHED.grpc);
    const targets: WalkthroughTargets = {
      web: endpoint('http', PUBLISHED.web),
      websecure: endpoint('https', PUBLISHED.websecure),
      admin: endpoint('http', PUBLISHED.admin),
      identity: endpoint('http', PUBLISHED.identity),
      published: (hostPort) => endpoint('http', hostPort),
      grpc: `${grpc.address}:${grpc.port}`,
      inside: (service, port) => ({
        origin: `http://${net.member(service).address}:${port}`,
        host: `${service}:${port}`,
      }),
    };
    print(
      `walkthrough (README) to the published ports, :8000 reached at ${targets.web.origin}, :4444 at ${targets.identity.origin}:`,
    );
    let passed = 0;
    for (const check of WALKTHROUGH) {
      signal.throwIfAborted();
      const wrong = await check.run(targets).catch((err: Error) => `request failed: ${err.message}`);
      if (wrong === undefined) passed += 1;
      else failures.push(`${check.name}: ${wrong}`);
      print(
        `  ${wrong === undefined ? 'ok  ' : 'FAIL'}  ${check.name}${wrong === undefined ? '' : `: ${wrong}`}`,
      );
    }
    print(`${passed} of ${WALKTHROUGH.length} walkthrough requests answered as the README shows`);
  } catch (err) {
    const reason = signal.aborted ? (signal.reason as Error) : (err as Error);
    const message =
      reason?.name === 'TimeoutError' ? 'the rehearsal ran out of time' : (reason?.message ?? String(reason));
    failures.push(message);
    print(`  FAIL  ${message}`);
  } finally {
    stopping = true;
    const stopped = await Promise.all([...processes.values()].map((child) => child.stop()));
    const left = network ? await network.destroy() : [];
    if (home) await rm(home, { recursive: true, force: true });
    if (volumesDir) await rm(volumesDir, { recursive: true, force: true });
    for (const problem of left) print(`  teardown: ${problem}`);
    print(`not checked here: ${NOT_CHECKED.join('; ')}`);
    print(
      `torn down: ${stopped.length} processes` +
        (network ? `, ${plans.length} namespaces, bridge ${network.bridge}` : ''),
    );
  }
  return { ok: failures.length === 0, failures };
}
