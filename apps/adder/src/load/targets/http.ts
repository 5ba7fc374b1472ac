/** The HTTP target: one request (method, headers, body) to one URL, over a keep-alive pool. */

import { Pool } from 'undici';
import type { Target } from './target.ts';

/** Options of {@link httpTarget}. */
export interface HttpTargetOptions {
  url: URL;
  method: string;
  headers: Readonly<Record<string, string>>;
  body?: string;
  /** Keep-alive connections in the pool. */
  connections: number;
  /** Per-request deadline (headers and body), ms. */
  timeoutMs: number;
}

/** A target that sends the same request each time; 2xx and 3xx count as ok. */
export function httpTarget(options: HttpTargetOptions): Target {
  // undici refuses a timeout that is not a whole number of milliseconds (`--timeout 250us`) on every call.
  const timeout = Math.ceil(options.timeoutMs);
  const pool = new Pool(options.url.origin, {
    connections: options.connections,
    headersTimeout: timeout,
    bodyTimeout: timeout,
  });
  const path = `${options.url.pathname}${options.url.search}`;
  const headers = { ...options.headers };
  if (
    options.body !== undefined &&
    !Object.keys(headers).some((name) => name.toLowerCase() === 'content-type')
  ) {
    headers['content-type'] = 'application/json';
  }

  return {
    async call() {
      try {
        const response = await pool.request({ method: options.method, path, headers, body: options.body });
        await response.body.dump();
        const ok = response.statusCode < 400;
        return ok
          ? { status: String(response.statusCode), ok }
          : { status: String(response.statusCode), ok, error: `HTTP ${response.statusCode}` };
      } catch (error) {
        const code = (error as { code?: string }).code ?? 'ERR';
        return { status: code, ok: false, error: `${code}: ${(error as Error).message}` };
      }
    },
    async close() {
      await pool.close();
    },
  };
}
