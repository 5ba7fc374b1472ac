/**
 * Runs a page's command the way a reader does, in a shell at the repository root, and returns what the reader
 * would see (stdout and stderr interleaved). HTTPie formats for a terminal only when it has one, and reads a
 * non-terminal stdin as a request body; a per-command HTTPie config restores what a person at a terminal gets
 * (`--print=hb --pretty=format`, and `--ignore-stdin` unless the command pipes a body into `http`), without
 * changing the command the page shows.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** What a command printed and how it ended. */
export interface CommandResult {
  output: string;
  code: number | null;
  timedOut: boolean;
}

/** Options for {@link runCommand}. */
export interface RunOptions {
  cwd: string;
  /** A scratch folder for HTTPie's config. */
  scratch: string;
  timeoutMs: number;
  env?: NodeJS.ProcessEnv;
}

const PIPED_INTO_HTTPIE = /\|\s*(https?)\s/;

function httpieConfigDir(scratch: string, piped: boolean): string {
  const dir = join(scratch, piped ? 'httpie-piped' : 'httpie-terminal');
  mkdirSync(dir, { recursive: true });
  const options = ['--print=hb', '--pretty=format', ...(piped ? [] : ['--ignore-stdin'])];
  writeFileSync(join(dir, 'config.json'), JSON.stringify({ default_options: options }));
  return dir;
}

/** Runs `command` with bash, killing its whole process group if it outlives `timeoutMs`. */
export function runCommand(command: string, options: RunOptions): Promise<CommandResult> {
  const piped = PIPED_INTO_HTTPIE.test(command);
  const child = spawn('bash', ['-c', `exec 2>&1; ${command}`], {
    cwd: options.cwd,
    env: {
      ...process.env,
      ...options.env,
      HTTPIE_CONFIG_DIR: httpieConfigDir(options.scratch, piped),
      NO_COLOR: '1',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
    detached: true,
  });
  const chunks: Buffer[] = [];
  child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
  }, options.timeoutMs);
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ output: Buffer.concat(chunks).toString('utf8'), code, timedOut });
    });
  });
}
