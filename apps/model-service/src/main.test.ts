import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const main = fileURLToPath(new URL('./main.ts', import.meta.url));

async function start(env: Record<string, string>) {
  const child = spawn(process.execPath, [main], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, stderr };
}

describe('main', () => {
  it('fails fast with a clear message when the forest artifact is missing', async () => {
    const { code, stderr } = await start({ MODEL_PATH: '/nonexistent/boston-rf.json', PORT: '0' });
    assert.equal(code, 1);
    assert.match(
      stderr,
      /^model-service: failed to start: \/nonexistent\/boston-rf.json: cannot read the model artifact/,
    );
    assert.match(stderr, /npm run build -w apps\/model-service/);
  });

  it('refuses a bad environment, naming the variable', async () => {
    const { code, stderr } = await start({ PORT: 'eighty' });
    assert.equal(code, 1);
    assert.match(stderr, /PORT/);
  });
});
