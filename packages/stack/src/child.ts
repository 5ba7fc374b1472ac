import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';

/** How to run one service of the stack: a Node entry file inside a workspace. */
export interface ProcessSpec {
  /** Short name used as the log prefix, e.g. `gateway`. */
  name: string;
  /** Working directory (the app's workspace folder). */
  cwd: string;
  /** Arguments after `node`, e.g. `['src/main.ts']`. */
  args: string[];
  /** Extra environment, layered over the launcher's own. */
  env: Record<string, string>;
  /** URL that answers below 500 once the service is ready. */
  readyUrl: string;
}

/** How a child ended. */
export interface ChildExit {
  name: string;
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** Receives each line a child prints, already split. */
export type LineSink = (name: string, line: string, stream: 'stdout' | 'stderr') => void;

/**
 * One supervised child process. It runs on the launcher's own Node (so Node 24 everywhere) with an IPC
 * channel, which lets the child notice if the launcher dies and exit instead of lingering as an orphan.
 */
export class ChildService {
  readonly spec: ProcessSpec;
  readonly exited: Promise<ChildExit>;
  #child: ChildProcess;

  constructor(spec: ProcessSpec, sink: LineSink) {
    this.spec = spec;
    this.#child = spawn(process.execPath, spec.args, {
      cwd: spec.cwd,
      env: { ...process.env, ...spec.env },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    for (const stream of ['stdout', 'stderr'] as const) {
      const source = this.#child[stream];
      if (source) createInterface({ input: source }).on('line', (line) => sink(spec.name, line, stream));
    }
    this.exited = once(this.#child, 'exit').then(([code, signal]) => ({
      name: spec.name,
      code: code as number | null,
      signal: signal as NodeJS.Signals | null,
    }));
  }

  /** Whether the process is still running. */
  get running(): boolean {
    return this.#child.exitCode === null && this.#child.signalCode === null;
  }

  /** Asks the child to stop (SIGTERM), and kills it if it has not exited after `graceMs`. */
  async stop(graceMs = 10_000): Promise<ChildExit> {
    if (this.running) {
      this.#child.kill('SIGTERM');
      const timer = setTimeout(() => this.#child.kill('SIGKILL'), graceMs);
      const exit = await this.exited;
      clearTimeout(timer);
      return exit;
    }
    return this.exited;
  }
}
