/**
 * Processes inside a network namespace, as a container's user: `ip netns exec <ns>` (which also binds the
 * namespace's hosts and resolv.conf over /etc), then `setpriv` to the image's uid and gid. Each process leads its
 * own process group, so stopping it stops whatever it started too.
 */

import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';

/** How to start one process in a namespace. */
export interface NamespacedCommand {
  readonly namespace: string;
  /** Host paths already (the executable too). */
  readonly argv: readonly string[];
  readonly cwd: string;
  readonly env: Readonly<Record<string, string>>;
  readonly uid: number;
  readonly gid: number;
}

/** How a process ended. */
export interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

function wrap(command: NamespacedCommand): string[] {
  const user =
    command.uid === 0
      ? []
      : ['setpriv', `--reuid=${command.uid}`, `--regid=${command.gid}`, '--clear-groups', '--'];
  return ['netns', 'exec', command.namespace, ...user, ...command.argv];
}

function start(command: NamespacedCommand, stdio: 'pipe' | 'ignore'): ChildProcess {
  return spawn('ip', wrap(command), {
    cwd: command.cwd,
    env: { ...command.env },
    detached: true,
    stdio: ['ignore', stdio, stdio],
  });
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // Already gone.
  }
}

/** A long-running process (a service's PID 1), its output kept line by line. */
export class ServiceProcess {
  readonly name: string;
  readonly exited: Promise<Exit>;
  readonly #child: ChildProcess;
  readonly #tail: string[] = [];

  constructor(name: string, command: NamespacedCommand, onLine?: (name: string, line: string) => void) {
    this.name = name;
    this.#child = start(command, 'pipe');
    for (const stream of [this.#child.stdout, this.#child.stderr]) {
      if (!stream) continue;
      createInterface({ input: stream }).on('line', (line) => {
        this.#tail.push(line);
        if (this.#tail.length > 40) this.#tail.shift();
        onLine?.(name, line);
      });
    }
    this.exited = new Promise((resolve) => {
      this.#child.once('error', () => resolve({ code: 127, signal: null }));
      this.#child.once('exit', (code, signal) => resolve({ code, signal }));
    });
  }

  get running(): boolean {
    return this.#child.exitCode === null && this.#child.signalCode === null;
  }

  /** The last lines it printed. */
  get tail(): readonly string[] {
    return this.#tail;
  }

  /** SIGTERM to the group, SIGKILL after `graceMs` (Docker's stop does the same, with 10 s). */
  async stop(graceMs = 5000): Promise<Exit> {
    killGroup(this.#child, 'SIGTERM');
    const timer = setTimeout(() => killGroup(this.#child, 'SIGKILL'), graceMs);
    const exit = await this.exited;
    clearTimeout(timer);
    return exit;
  }
}

/** Runs a short command (a health check) to completion; past `timeoutMs` its group is killed and it fails. */
export async function runOnce(
  command: NamespacedCommand,
  timeoutMs: number,
): Promise<{ ok: boolean; detail: string }> {
  const child = start(command, 'pipe');
  let output = '';
  for (const stream of [child.stdout, child.stderr])
    stream?.on('data', (chunk: Buffer) => {
      if (output.length < 2000) output += chunk.toString();
    });
  const timer = setTimeout(() => killGroup(child, 'SIGKILL'), timeoutMs);
  const [code, signal] = (await once(child, 'exit').catch(() => [127, null])) as [
    number | null,
    string | null,
  ];
  clearTimeout(timer);
  if (code === 0) return { ok: true, detail: '' };
  const why = signal ? `killed after ${timeoutMs} ms` : `exit ${code}`;
  return {
    ok: false,
    detail: `${why}${output.trim() ? `: ${output.trim().split('\n').slice(-3).join(' | ')}` : ''}`,
  };
}
