import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { showProgress } from './progress.ts';

describe('showProgress', () => {
  it('redraws one line with calls, rate, errors and elapsed time, and clears it when stopped', async () => {
    const written: string[] = [];
    const stream = { write: (text: string) => written.push(text) > 0 } as unknown as NodeJS.WriteStream;
    let count = 0;
    const stop = showProgress(stream, () => {
      count += 100;
      return { count, errors: 2, elapsedMs: 1500, warmingUp: false };
    });
    await new Promise((resolve) => setTimeout(resolve, 600));
    stop();
    assert.ok(written.length >= 2, String(written.length));
    const clear = '\r\u001b[2K';
    assert.ok(written[0]?.startsWith(clear), JSON.stringify(written[0]));
    assert.match(written[0]?.slice(clear.length) ?? '', /^\d+ calls {2}\d+\/s {2}2 errors {2}1\.50s$/);
    assert.equal(written.at(-1), clear);
  });

  it('says when it is warming up', async () => {
    const written: string[] = [];
    const stream = { write: (text: string) => written.push(text) > 0 } as unknown as NodeJS.WriteStream;
    const stop = showProgress(stream, () => ({ count: 0, errors: 0, elapsedMs: 0, warmingUp: true }));
    await new Promise((resolve) => setTimeout(resolve, 300));
    stop();
    assert.match(written[0] ?? '', /warming up/);
  });
});
