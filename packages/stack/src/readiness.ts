import { request } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';

/** Thrown when a process does not become ready in time. */
export class NotReadyError extends Error {
  readonly code = 'ERR_NOT_READY';
}

function probe(url: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request(url, { method: 'GET', timeout: 1000 }, (res) => {
      res.resume();
      // Any answer below 500 means the server is up and routing; 5xx means it is still starting (or broken).
      resolve((res.statusCode ?? 500) < 500);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
    req.end();
  });
}

/**
 * Polls `url` until it answers with a status below 500, or throws {@link NotReadyError} after `timeoutMs`.
 * `signal` aborts the wait early (the process died, or the user pressed Ctrl-C).
 */
export async function waitForHttp(url: string, timeoutMs: number, signal?: AbortSignal): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    signal?.throwIfAborted();
    if (await probe(url)) return;
    await sleep(100, undefined, { signal });
  }
  throw new NotReadyError(`${url} did not become ready within ${timeoutMs} ms`);
}
