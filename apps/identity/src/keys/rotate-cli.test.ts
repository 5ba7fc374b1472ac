import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { temporaryKeysDir } from '../test-support.ts';

const CLI = new URL('./rotate-cli.ts', import.meta.url).pathname;
let keysDir: string;
let removeKeys: () => Promise<void>;
before(async () => {
  ({ dir: keysDir, remove: removeKeys } = await temporaryKeysDir());
});
after(() => removeKeys());

async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [CLI, ...args], {
      env: { ...process.env, KEYS_DIR: keysDir },
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const { code, stdout, stderr } = err as { code: number; stdout: string; stderr: string };
    return { code, stdout, stderr };
  }
}

describe('rotate-keys', () => {
  it('walks the three steps and says what to do next', async () => {
    const status = await cli('status');
    assert.equal(status.code, 0);
    const signing = /^ {2}(\S+) {2}signing, published$/m.exec(status.stdout)?.[1];
    assert.ok(signing, status.stdout);

    const stage = await cli('stage');
    const staged = /^staged (\S+)$/m.exec(stage.stdout)?.[1];
    assert.ok(staged);
    assert.match(stage.stdout, new RegExp(`^ {2}${staged} {2}published$`, 'm'));
    assert.match(stage.stdout, /published now/);

    const promote = await cli('promote');
    assert.match(promote.stdout, new RegExp(`^promoted ${staged}$`, 'm'));
    assert.match(
      promote.stdout,
      new RegExp(`^ {2}${staged} {2}signing, published\\n {2}${signing} {2}published$`, 'm'),
    );

    const retire = await cli('retire');
    assert.match(retire.stdout, new RegExp(`^retired ${signing}$`, 'm'));
  });

  it('prints its usage and exits 2 without a step, 1 with a failing one', async () => {
    const none = await cli();
    assert.equal(none.code, 2);
    assert.match(none.stderr, /usage: npm run rotate-keys/);
    await cli('retire');
    const promote = await cli('promote');
    assert.equal(promote.code, 1);
    assert.match(promote.stderr, /^rotate-keys: no staged key to promote/);
  });
});
