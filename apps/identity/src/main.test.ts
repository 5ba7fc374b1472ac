import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, describe, it } from 'node:test';
import { temporaryKeysDir } from './test-support.ts';

const MAIN = new URL('./main.ts', import.meta.url).pathname;
let keysDir: string;
let removeKeys: () => Promise<void>;
before(async () => {
  ({ dir: keysDir, remove: removeKeys } = await temporaryKeysDir());
});
after(() => removeKeys());

function start(env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, [MAIN], {
    env: { ...process.env, KEYS_DIR: keysDir, PORT: '0', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

async function collect(stream: NodeJS.ReadableStream | null): Promise<string> {
  let text = '';
  for await (const chunk of stream ?? []) text += chunk;
  return text;
}

describe('main', () => {
  it('refuses a bad identity config in one line naming the file and field, exit 1', async () => {
    const file = join(keysDir, 'bad.yml');
    const hash = '$scrypt$ln=15,r=8,p=1$uZl7PQRAKnJn2eLlKUlIqA$h8hVQV0QUi2/HsFyA8FZAatIOuYdDweQfD5013KsHJM';
    await writeFile(
      file,
      `resources: []\nclients: []\nusers:\n  - { id: eve, name: Eve, email: eve, passwordHash: '${hash}' }\n`,
    );
    const child = start({ IDENTITY_CONFIG: file });
    const [stderr, [code]] = await Promise.all([collect(child.stderr), once(child, 'exit')]);
    assert.equal(code, 1);
    assert.match(
      stderr,
      /^identity: failed to start: \/.*\/bad\.yml: users\[0\]\.email: must be an email address\n$/,
    );
  });

  it('refuses a bad environment before reading anything', async () => {
    const child = start({ ISSUER: 'http://localhost:4444/' });
    const [stderr, [code]] = await Promise.all([collect(child.stderr), once(child, 'exit')]);
    assert.equal(code, 1);
    assert.match(
      stderr,
      /identity: failed to start: invalid environment:\n {2}- ISSUER: must not end with '\/'/,
    );
  });

  it('serves the discovery document, then stops cleanly on SIGTERM', async () => {
    const child = start({ ISSUER: 'http://localhost:4444' });
    const lines = createInterface({ input: child.stdout ?? process.stdin });
    let address: string | undefined;
    const messages: string[] = [];
    for await (const line of lines) {
      const entry = JSON.parse(line) as { msg: string };
      messages.push(entry.msg);
      address ??= /^Server listening at (http:\/\/127\.0\.0\.1:\d+)$/.exec(entry.msg)?.[1];
      if (entry.msg === 'identity provider ready') break;
    }
    assert.ok(address, messages.join('\n'));
    assert.ok(messages.includes('generated a new signing key'));
    const doc = (await (await fetch(`${address}/.well-known/openid-configuration`)).json()) as {
      issuer: string;
    };
    assert.equal(doc.issuer, 'http://localhost:4444');
    child.kill('SIGTERM');
    const [code] = await once(child, 'exit');
    assert.equal(code, 0);
  });
});
