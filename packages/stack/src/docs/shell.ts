/**
 * Runs a page's commands the way a reader does at a terminal: in bash at the repository root, one shell session per
 * page (a variable set by one command, `TOKEN=$(...)`, is there for the next), and returns what the reader would see
 * (stdout and stderr interleaved).
 *
 * HTTPie behaves differently without a terminal: it prints only the body and reads stdin as a request body. The
 * commands run without one, so `http` and `https` are wrapped: an invocation whose output goes straight to the
 * reader's screen prints as on a terminal (`--print=hb --pretty=format`), one whose stdin is the terminal ignores
 * it, and one in a pipeline (`echo ... | http`, `http ... | jq`) behaves as in that pipeline. The command the page
 * shows is never changed.
 */
import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/** What a command printed and how it ended. */
export interface CommandResult {
  output: string;
  code: number | null;
  timedOut: boolean;
}

/** Options for {@link Terminal}. */
export interface TerminalOptions {
  cwd: string;
  /** A scratch folder of its own for the session's state and the HTTPie wrappers. */
  scratch: string;
  /** The folder of the real HTTPie programs (`http`, `https`). */
  httpieDir: string;
}

// Linux's /proc tells where the wrapper's own stdin and stdout lead: the session's screen is one pipe, known by name.
const wrapper = (program: string) => `#!/bin/sh
options=""
[ "$(readlink /proc/$$/fd/1)" = "$PAGE_TEST_SCREEN" ] && options="--print=hb --pretty=format"
[ "$(readlink /proc/$$/fd/0)" = "/dev/null" ] && options="$options --ignore-stdin"
exec ${JSON.stringify(program)} $options "$@"
`;

/** A reader's terminal session: commands run one after another and share exported shell state. */
export class Terminal {
  readonly #options: TerminalOptions;
  readonly #state: string;
  readonly #bin: string;

  constructor(options: TerminalOptions) {
    this.#options = options;
    this.#state = join(options.scratch, 'state.sh');
    this.#bin = join(options.scratch, 'bin');
    mkdirSync(this.#bin, { recursive: true });
    for (const name of ['http', 'https']) {
      const path = join(this.#bin, name);
      writeFileSync(path, wrapper(join(options.httpieDir, name)));
      chmodSync(path, 0o755);
    }
    writeFileSync(this.#state, '');
  }

  /** Runs `command`, killing its whole process group if it outlives `timeoutMs`. */
  run(command: string, timeoutMs: number): Promise<CommandResult> {
    // Every variable the command sets is exported (set -a) and saved on exit, for the next command to load.
    const script = [
      'exec 2>&1 </dev/null',
      `. ${JSON.stringify(this.#state)}`,
      'export PAGE_TEST_SCREEN="$(readlink /proc/$$/fd/1)"',
      `trap 'export -p | grep -vE "^declare -x (PWD|OLDPWD|SHLVL|_|PAGE_TEST_SCREEN)=" > ${JSON.stringify(this.#state)}' EXIT`,
      'set -a',
      command,
    ].join('\n');
    const child = spawn('bash', ['-c', script], {
      cwd: this.#options.cwd,
      env: {
        ...process.env,
        PATH: `${this.#bin}${delimiter}${process.env.PATH ?? ''}`,
        // An empty HTTPie config: the reader's own defaults must not change what the page shows.
        HTTPIE_CONFIG_DIR: join(this.#options.scratch, 'httpie'),
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
    }, timeoutMs);
    return new Promise((resolve, reject) => {
      child.once('error', reject);
      child.once('close', (code) => {
        clearTimeout(timer);
        resolve({ output: Buffer.concat(chunks).toString('utf8'), code, timedOut });
      });
    });
  }
}
