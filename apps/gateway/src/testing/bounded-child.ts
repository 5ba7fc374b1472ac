/**
 * Test helper: runs code in a child Node process and kills it if it takes too long. A test for "this never
 * hangs" cannot run the suspect code in its own process: a regexp stuck in backtracking holds the event loop,
 * so no timer of the test would ever fire.
 */

import { spawn } from 'node:child_process';

/** What {@link runBounded} saw: the child's stdout, or that it was killed at the bound. */
export type BoundedRun =
  | {
      readonly finished: true;
      readonly code: number | null;
      readonly stdout: string;
      readonly stderr: string;
    }
  | { readonly finished: false; readonly stderr: string };

/**
 * Runs `source` (an ES module; `.ts` files may be imported by absolute URL) in a child process with the
 * current Node, and kills it with SIGKILL after `boundMs`.
 */
export function runBounded(source: string, boundMs: number): Promise<BoundedRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', source], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let killed = false;
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    const timer = setTimeout(() => {
      killed = true;
      child.kill('SIGKILL');
    }, boundMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve(killed ? { finished: false, stderr } : { finished: true, code, stdout, stderr });
    });
  });
}
