/**
 * compose.yaml as Docker's own tool reads it: Debian's docker-compose 1.29 (`config -q` needs no engine) must
 * accept the file alone and with each profile, without a warning (it only warns, and exits 0, for a `$` that should
 * have been `$$`, or for a variable it cannot interpolate).
 */

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { COMPOSE_FILE, REPO_ROOT } from '../paths.ts';

const run = promisify(execFile);

const available = await run('docker-compose', ['version', '--short'], { timeout: 20_000 }).then(
  () => true,
  () => false,
);
const skip = available
  ? false
  : 'docker-compose is not installed (apt-get install docker-compose; .ci/run does)';

/** Runs `docker-compose [--profile p] -f file config -q`; resolves to its stderr, or rejects with it. */
async function config(file: string, profile?: string): Promise<string> {
  const args = [...(profile ? ['--profile', profile] : []), '-f', file, 'config', '-q'];
  // An empty environment: the file's own defaults are what is checked, not this machine's variables.
  const { stderr } = await run('docker-compose', args, {
    cwd: REPO_ROOT,
    timeout: 60_000,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
  });
  return stderr;
}

describe('docker-compose config', { skip }, () => {
  for (const profile of [undefined, 'load', 'traefik']) {
    it(`accepts compose.yaml${profile ? ` with --profile ${profile}` : ''}, without warnings`, async () => {
      assert.equal((await config(COMPOSE_FILE, profile)).trim(), '');
    });
  }

  it('refuses what it cannot read and warns about a lone $ (the check can fail)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'compose-config-'));
    try {
      const text = await readFile(COMPOSE_FILE, 'utf8');
      const withInclude = join(dir, 'include.yaml');
      await writeFile(withInclude, `include:\n  - other.yaml\n${text}`);
      await assert.rejects(config(withInclude), /include/);
      const withDollar = join(dir, 'dollar.yaml');
      await writeFile(withDollar, text.replace("PORT: '4181'", "PORT: '4181'\n      HASH: $apr1"));
      assert.match(await config(withDollar), /apr1/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
