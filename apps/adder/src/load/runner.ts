/**
 * Drives a target. Two schedules:
 * - closed loop (no `rps`): `concurrency` workers, each sends its next call as soon as the last one answers;
 * - constant rate (`rps`): calls are due at t0 + i/rps. Latency is measured from when a call was *due*, not
 *   from when it could be sent, so a stalled server shows up in the percentiles instead of silently slowing the
 *   sender down (coordinated omission). At most `concurrency` calls are in flight; late calls queue.
 * The first `warmup` calls (or the calls of the first `warmup` ms) are made but not recorded. A duration run
 * makes the calls due before its end and waits for them: each is recorded, however late it answers.
 */

import { Recorder, type Summary } from './stats.ts';
import type { Target } from './targets/target.ts';

/** When a run stops and how it is paced. */
export interface RunOptions {
  /** Calls in flight at most. */
  concurrency: number;
  /** Constant rate in calls per second; 0 or undefined: as fast as the calls answer. */
  rps?: number;
  /** Stop after this many recorded calls. */
  count?: number;
  /** Stop after this long, ms (measured part, after warm-up). */
  durationMs?: number;
  /** Calls made before recording starts. */
  warmupCount?: number;
  /** Or time before recording starts, ms. */
  warmupMs?: number;
  /** Stops the run early (Ctrl-C); what was recorded is still summarised. */
  signal?: AbortSignal;
}

/** What a run reports while it goes, for the progress line. */
export interface Progress {
  readonly count: number;
  readonly errors: number;
  readonly elapsedMs: number;
  readonly warmingUp: boolean;
}

/** Runs `target` until the count or duration is reached; resolves to the summary of the recorded calls. */
export function run(
  target: Target,
  options: RunOptions,
  recorder: Recorder = new Recorder(),
): Promise<Summary> {
  return startRun(target, options, recorder).done;
}

/** A run in progress (see {@link startRun}). */
class Run {
  readonly #target: Target;
  readonly #options: RunOptions;
  readonly #recorder: Recorder;
  #startedAt = 0;
  #measureFrom = 0;
  #warmupLeft: number;
  /** Calls issued that will be recorded (warm-up calls excluded). */
  #measuredIssued = 0;
  #measuring = false;
  #stopped = false;

  constructor(target: Target, options: RunOptions, recorder: Recorder) {
    this.#target = target;
    this.#options = options;
    this.#recorder = recorder;
    this.#warmupLeft = options.warmupCount ?? 0;
  }

  get progress(): Progress {
    const now = performance.now();
    const warmingUp = this.#isWarmingUp(now);
    return {
      count: this.#recorder.count,
      errors: this.#recorder.errors,
      elapsedMs: warmingUp ? 0 : now - this.#measureFrom,
      warmingUp,
    };
  }

  async start(): Promise<Summary> {
    this.#startedAt = performance.now();
    this.#measureFrom = this.#startedAt + (this.#options.warmupMs ?? 0);
    const onAbort = () => {
      this.#stopped = true;
    };
    this.#options.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      if (this.#options.rps) await this.#constantRate(this.#options.rps);
      else await Promise.all(Array.from({ length: this.#options.concurrency }, () => this.#worker()));
    } finally {
      this.#options.signal?.removeEventListener('abort', onAbort);
    }
    // A run for a duration lasted at least that duration, even if its last call (at a constant rate) was due
    // earlier, and until its last call answered when that was later.
    const now = performance.now();
    const end =
      this.#options.durationMs !== undefined && !this.#stopped ? Math.max(this.#deadline(), now) : now;
    return this.#recorder.summary(Math.max(0, end - this.#measureFrom));
  }

  #isWarmingUp(now: number): boolean {
    return this.#warmupLeft > 0 || now < this.#measureFrom;
  }

  #deadline(): number {
    return this.#options.durationMs === undefined
      ? Number.POSITIVE_INFINITY
      : this.#measureFrom + this.#options.durationMs;
  }

  /** Whether another call should be issued now. */
  #more(now: number): boolean {
    if (this.#stopped) return false;
    if (now >= this.#deadline()) return false;
    const { count } = this.#options;
    // Count only calls that will be recorded; warm-up calls (by count or by time) are on top.
    return count === undefined || this.#measuredIssued < count || this.#isWarmingUp(now);
  }

  async #callOnce(dueAt: number): Promise<void> {
    let warmup: boolean;
    if (this.#warmupLeft > 0) {
      this.#warmupLeft--;
      warmup = true;
    } else {
      warmup = dueAt < this.#measureFrom;
      if (!warmup && !this.#measuring) {
        // The measured part starts with the first recorded call (after a warm-up by count, that is now).
        this.#measuring = true;
        this.#measureFrom = Math.max(this.#measureFrom, dueAt);
      }
    }
    if (!warmup) this.#measuredIssued++;
    const outcome = await this.#target.call();
    // A call due before the end is recorded even when it answers after it: dropping it would hide a stall.
    if (!warmup) this.#recorder.record(outcome, performance.now() - dueAt);
  }

  async #worker(): Promise<void> {
    while (this.#more(performance.now())) await this.#callOnce(performance.now());
  }

  async #constantRate(rps: number): Promise<void> {
    const interval = 1000 / rps;
    const inFlight = new Set<Promise<void>>();
    let due = performance.now();
    while (this.#more(due)) {
      const now = performance.now();
      if (due > now) await sleep(due - now);
      if (this.#stopped) break;
      while (inFlight.size >= this.#options.concurrency) await Promise.race(inFlight);
      const call = this.#callOnce(due).finally(() => inFlight.delete(call));
      inFlight.add(call);
      due += interval;
    }
    await Promise.all(inFlight);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A run started in the background, with live progress for a terminal. */
export interface StartedRun {
  readonly progress: () => Progress;
  readonly done: Promise<Summary>;
}

/** Like {@link run}, but returns at once with a way to read progress. */
export function startRun(
  target: Target,
  options: RunOptions,
  recorder: Recorder = new Recorder(),
): StartedRun {
  if (options.count === undefined && options.durationMs === undefined) {
    throw new RangeError('a run needs a count or a duration');
  }
  const runner = new Run(target, options, recorder);
  return { progress: () => runner.progress, done: runner.start() };
}
