/**
 * The compose rehearsal, run for real (root and iproute2 needed; otherwise skipped with the reason): compose.yaml
 * passes, and two broken variants of it fail the way their Docker deployment would.
 */

import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { parseCompose } from '../compose-file.ts';
import { COMPOSE_FILE } from '../paths.ts';
import { rehearse } from './rehearse.ts';
import { rehearsalUnavailable } from './requirements.ts';

const skip = (await rehearsalUnavailable()) ?? false;
const text = await readFile(COMPOSE_FILE, 'utf8');

/** compose.yaml with one edit, parsed as if it were the file at the root (so paths resolve the same). */
function variant(from: string, to: string) {
  assert.ok(text.includes(from), `compose.yaml no longer contains ${from}`);
  return parseCompose(text.replace(from, to), COMPOSE_FILE);
}

describe('compose rehearsal', { skip }, () => {
  it('runs compose.yaml and answers the whole walkthrough', async () => {
    const lines: string[] = [];
    const result = await rehearse({ print: (line) => lines.push(line), timeoutMs: 40_000 });
    process.stdout.write(`${lines.map((line) => `# ${line}`).join('\n')}\n`);
    assert.deepEqual(result.failures, []);
    assert.ok(lines.some((line) => /^(\d+) of \1 walkthrough requests answered/.test(line)));
    assert.ok(lines.at(-1)?.startsWith('torn down: 6 processes, 6 namespaces'));
  });

  it('fails a service bound to 127.0.0.1 inside its container, though its own health check passes', async () => {
    const project = variant("PORT: '8101'", "PORT: '8101'\n      HOST: 127.0.0.1");
    const lines: string[] = [];
    const result = await rehearse({ project, print: (line) => lines.push(line), timeoutMs: 40_000 });
    assert.ok(lines.some((line) => /pybackend-ts .* healthy after/.test(line)));
    assert.ok(
      result.failures.some((f) => f.includes('"Authorization: Bearer foobar" → 200')),
      result.failures.join('\n'),
    );
  });

  it('refuses a health check the image cannot run, before starting anything', async () => {
    const project = variant(
      'healthcheck: *healthcheck',
      "healthcheck: { <<: *healthcheck, test: [CMD, curl, -f, 'http://127.0.0.1:4181/'] }",
    );
    const result = await rehearse({ project, print: () => {} });
    assert.equal(result.ok, false);
    assert.match(result.failures.join('\n'), /health check curl .*node:24-slim has no curl/);
  });
});
