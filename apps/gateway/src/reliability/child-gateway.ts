/**
 * The gateway as a child process, started through its CLI the way an operator starts it: for what only a
 * process shows (signals, exit codes, resident memory). Static and dynamic files go to a temporary directory;
 * entrypoints listen on 127.0.0.1:0 and their ports are read from the "entrypoint listening" log lines.
 * Not a test file (no `.test.ts`).
 */

import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const cli = join(import.meta.dirname, '..', 'cli.ts');

/** A running gateway process. */
export interface ChildGateway {
  readonly child: ChildProcessWithoutNullStreams;
  /** Parsed JSON log lines so far. */
  readonly lines: Record<string, unknown>[];
  /** Other stdout lines (such as V8's `--trace-gc` lines). */
  readonly otherLines: string[];
  /** `http://127.0.0.1:<port>` of an entrypoint. */
  url(entryPoint: string): string;
  /** Resident set size of the process, bytes (Linux `/proc`). */
  rss(): Promise<number>;
  /**
   * With `heapProbe`: the memory JavaScript objects hold after a full garbage collection, bytes: the V8 heap
   * in use plus what lies outside it (Buffers' backing stores).
   */
  liveAfterGc(): Promise<number>;
  /** Resolves with the exit code once the process has exited. */
  readonly exited: Promise<number | null>;
  /** The folder of the dynamic files (`providers.file.directory`, watched). */
  readonly dynamicDir: string;
  /** Stops the process (SIGKILL if it is still running) and removes its files. */
  close(): Promise<void>;
}

/** Options of {@link startChildGateway}. */
export interface ChildGatewayOptions {
  /** Static configuration (YAML) without `entryPoints` and `providers`, which are set here. */
  readonly staticExtra?: string;
  /** YAML of `entryPoints.web` beyond its address (indented under `web:`), e.g. its transport. */
  readonly webExtra?: string;
  /** Dynamic configuration files by name. */
  readonly files: Readonly<Record<string, string>>;
  /** Extra node flags (e.g. `--max-old-space-size`). */
  readonly nodeArgs?: readonly string[];
  /** Preload heap-probe.ts, for {@link ChildGateway.liveAfterGc}. */
  readonly heapProbe?: boolean;
  /** More gateway arguments (e.g. `--workers=2`). */
  readonly args?: readonly string[];
  /** How many "entrypoint listening" lines mean started (default 2: web and traefik, one process). */
  readonly listeningLines?: number;
}

/** Starts `gateway --configFile <tmp>/gateway.yml` and waits until both entrypoints listen. */
export async function startChildGateway(options: ChildGatewayOptions): Promise<ChildGateway> {
  const dir = await mkdtemp(join(tmpdir(), 'gateway-child-'));
  await mkdir(join(dir, 'dynamic'));
  for (const [name, text] of Object.entries(options.files)) await writeFile(join(dir, 'dynamic', name), text);
  const web = options.webExtra ? `\n${indent(options.webExtra, 4)}` : '';
  await writeFile(
    join(dir, 'gateway.yml'),
    `entryPoints:
  web:
    address: 127.0.0.1:0${web}
  traefik:
    address: 127.0.0.1:0
providers:
  providersThrottleDuration: 50ms
  file:
    directory: dynamic
    watch: true
ping: {}
log:
  level: INFO
${options.staticExtra ?? ''}
`,
  );
  const probe = options.heapProbe
    ? ['--expose-gc', '--import', join(import.meta.dirname, 'heap-probe.ts')]
    : [];
  const child = spawn(
    process.execPath,
    [
      ...probe,
      ...(options.nodeArgs ?? []),
      cli,
      '--configFile',
      join(dir, 'gateway.yml'),
      ...(options.args ?? []),
    ],
    { env: { ...process.env, LOG_LEVEL: 'info' } },
  );
  const lines: Record<string, unknown>[] = [];
  const otherLines: string[] = [];
  let stderr = '';
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  createInterface({ input: child.stdout }).on('line', (line) => {
    try {
      lines.push(JSON.parse(line));
    } catch {
      otherLines.push(line);
    }
  });
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  const listening = () =>
    lines.filter((l) => l.msg === 'entrypoint listening').length >= (options.listeningLines ?? 2);
  const deadline = Date.now() + 20_000;
  while (!listening() && child.exitCode === null && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const close = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
    await rm(dir, { recursive: true, force: true });
  };
  if (!listening()) {
    await close();
    throw new Error(`the gateway did not start: ${stderr}`);
  }
  return {
    child,
    lines,
    otherLines,
    url(entryPoint) {
      const line = lines.find((l) => l.msg === 'entrypoint listening' && l.entryPoint === entryPoint);
      return `http://127.0.0.1:${line?.port}`;
    },
    async rss() {
      const status = await readFile(`/proc/${child.pid}/status`, 'utf8');
      const kb = /^VmRSS:\s+(\d+) kB/m.exec(status);
      if (!kb) throw new Error('no VmRSS in /proc status');
      return Number(kb[1]) * 1024;
    },
    async liveAfterGc() {
      const seen = lines.length;
      child.kill('SIGUSR2');
      const deadline = Date.now() + 5000;
      for (;;) {
        const probe = lines.slice(seen).find((l) => l.msg === 'heap probe');
        if (probe !== undefined) {
          if (probe.gc !== true) throw new Error('the heap probe has no gc(): run node with --expose-gc');
          return (probe.heapUsed as number) + (probe.external as number);
        }
        if (Date.now() > deadline) throw new Error('no answer from the heap probe');
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    },
    exited,
    dynamicDir: join(dir, 'dynamic'),
    close,
  };
}

function indent(text: string, spaces: number): string {
  const pad = ' '.repeat(spaces);
  return text
    .split('\n')
    .map((line) => (line === '' ? line : pad + line))
    .join('\n');
}
