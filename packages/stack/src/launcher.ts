import { type ChildExit, ChildService, type LineSink, type ProcessSpec } from './child.ts';
import { waitForHttp } from './readiness.ts';

/** Options for {@link startStack}. */
export interface StartOptions {
  /** Where children's output lines go. */
  sink: LineSink;
  /** How long each process may take to become ready. Default 30 s. */
  readyTimeoutMs?: number;
}

/** A running stack. */
export interface Stack {
  /** The supervised children by name. */
  readonly children: ReadonlyMap<string, ChildService>;
  /** Settles with the first child that exits while the stack is meant to be up. */
  readonly crashed: Promise<ChildExit>;
  /** Stops every child, last started first, and waits until all have exited. */
  stop(): Promise<ChildExit[]>;
}

/** Thrown when a child exits or never becomes ready during start-up; the other children are already stopped. */
export class StackStartError extends Error {
  readonly code = 'ERR_STACK_START';
}

/**
 * Starts the processes in order, waiting for each to be ready before the next starts.
 * If any fails to start, everything already started is stopped before the error is thrown: no orphans, ports freed.
 */
export async function startStack(specs: ProcessSpec[], options: StartOptions): Promise<Stack> {
  const children = new Map<string, ChildService>();
  let stopping = false;
  const stop = async () => {
    stopping = true;
    const reversed = [...children.values()].reverse();
    return Promise.all(reversed.map((child) => child.stop()));
  };
  let reportCrash: (exit: ChildExit) => void = () => {};
  const crashed = new Promise<ChildExit>((resolve) => {
    reportCrash = resolve;
  });

  for (const spec of specs) {
    const child = new ChildService(spec, options.sink);
    children.set(spec.name, child);
    const died = new AbortController();
    child.exited.then((exit) => {
      died.abort();
      if (!stopping) reportCrash(exit);
    });
    try {
      await waitForHttp(spec.readyUrl, options.readyTimeoutMs ?? 30_000, died.signal);
    } catch (err) {
      const exit = child.running ? null : await child.exited;
      await stop();
      const why = exit
        ? `exited (code ${exit.code ?? exit.signal}) before it was ready`
        : (err as Error).message;
      throw new StackStartError(`${spec.name} ${why}`, { cause: err });
    }
  }
  return { children, crashed, stop };
}
