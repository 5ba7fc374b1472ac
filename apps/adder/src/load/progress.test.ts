import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it, mock } from 'node:test';
import { RateMeter, showProgress } from './progress.ts';
import type { Progress } from './runner.ts';

const CLEAR = '\r\u001b[2K';

function terminal() {
  const written: string[] = [];
  const stream = { write: (text: string) => written.push(text) > 0 } as unknown as NodeJS.WriteStream;
  return { stream, written };
}

/**
 * Drives the progress line on a simulated run: `completedBy(ms)` calls are done `ms` into it, and the line
 * redraws every 250 ms of mocked time. Returns each line drawn, with the run's time when it was drawn.
 */
function simulate(seconds: number, completedBy: (ms: number) => number): Array<{ at: number; line: string }> {
  const { stream, written } = terminal();
  let now = 0;
  const stop = showProgress(stream, (): Progress => {
    return { count: completedBy(now), errors: 0, elapsedMs: now, warmingUp: false };
  });
  const lines: Array<{ at: number; line: string }> = [];
  for (let tick = 1; tick <= seconds * 4; tick++) {
    now = tick * 250;
    mock.timers.tick(250);
    lines.push({ at: now, line: (written.at(-1) ?? '').slice(CLEAR.length) });
  }
  stop();
  return lines;
}

function shownRate(line: string): number | undefined {
  const match = / {2}([\d.]+|–)\/s {2}/.exec(line);
  assert.ok(match, line);
  return match[1] === '–' ? undefined : Number(match[1]);
}

describe('showProgress', () => {
  beforeEach(() => mock.timers.enable({ apis: ['setInterval'] }));
  afterEach(() => mock.timers.reset());

  it('redraws one line with calls, rate, errors and elapsed time, and clears it when stopped', () => {
    const { stream, written } = terminal();
    let count = 0;
    const stop = showProgress(stream, () => {
      count += 100;
      return { count, errors: 2, elapsedMs: 1500 + count * 2.5, warmingUp: false };
    });
    mock.timers.tick(500);
    stop();
    assert.equal(written.length, 3);
    assert.equal(written[0], `${CLEAR}100 calls  –/s  2 errors  1.75s`);
    assert.equal(written[1], `${CLEAR}200 calls  100/s  2 errors  2.00s`);
    assert.equal(written.at(-1), CLEAR);
  });

  it('says when it is warming up', () => {
    const { stream, written } = terminal();
    const stop = showProgress(stream, () => ({ count: 0, errors: 0, elapsedMs: 0, warmingUp: true }));
    mock.timers.tick(250);
    stop();
    assert.match(written[0] ?? '', /warming up/);
  });

  it('shows a steady 1/s at --rps 1, not 4/s and 0/s by turns', () => {
    // The worst phase: a call completes at each whole second, the first right at the start, just before a
    // redraw sees it (the first seconds then show the true average since the start, one call high).
    const lines = simulate(60, (ms) => Math.floor(ms / 1000) + 1);
    for (const { at, line } of lines) {
      const rate = shownRate(line);
      if (at < 2000) assert.equal(rate, undefined, `${at} ms: ${line}`);
      else if (at <= 5000) assert.ok(rate !== undefined && rate >= 1 && rate <= 1.5, `${at} ms: ${line}`);
      else assert.equal(rate, 1, `${at} ms: ${line}`);
    }
  });

  it('shows a steady 1/s when the calls complete between redraws', () => {
    const lines = simulate(30, (ms) => (ms < 600 ? 0 : Math.floor((ms - 600) / 1000) + 1));
    const rates = lines.filter(({ at }) => at >= 2000).map(({ line }) => shownRate(line));
    for (const rate of rates) assert.ok(rate !== undefined && rate >= 0.8 && rate <= 1.2, String(rate));
    assert.deepEqual(new Set(rates.slice(-80)), new Set([1]));
  });

  it('shows fast rates as whole numbers', () => {
    const lines = simulate(10, (ms) => Math.floor(ms * 2.5));
    assert.equal(shownRate(lines.at(-1)?.line ?? ''), 2500);
    assert.match(lines.at(-1)?.line ?? '', /^25000 calls {2}2500\/s {2}0 errors {2}10\.00s$/);
  });
});

describe('RateMeter', () => {
  it('averages since the start until the window fills, then over the last five seconds', () => {
    const meter = new RateMeter();
    assert.equal(meter.observe(1000, 10), undefined);
    assert.equal(meter.observe(2000, 40), 20);
    assert.equal(meter.observe(4000, 40), 10);
    assert.equal(meter.observe(5000, 50), 10);
    // The sample at 1000 ms is now the newest one at least five seconds old.
    assert.equal(meter.observe(6000, 110), 20);
    // Calls stop: the rate falls to zero once the window holds none.
    assert.equal(meter.observe(9000, 110), (110 - 40) / 5);
    assert.equal(meter.observe(14_000, 110), 0);
  });

  it('starts again when the run’s clock restarts (the end of a warm-up)', () => {
    const meter = new RateMeter();
    meter.observe(3000, 300);
    assert.equal(meter.observe(500, 5), undefined);
    assert.equal(meter.observe(2500, 25), 10);
  });
});
