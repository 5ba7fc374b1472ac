import type { AdmissionRequest } from '@gateway-pattern/admission-api';
import { ASSERTION_HEADER } from '@gateway-pattern/identity-assertion';
import { Pool } from 'undici';
import {
  UpstreamBadResponseError,
  type UpstreamError,
  UpstreamTimeoutError,
  UpstreamUnavailableError,
} from './errors.ts';

/** Options of {@link ModelServiceClient}. */
export interface ModelServiceClientOptions {
  /** Base URL of the model service, e.g. `http://127.0.0.1:8102`; a path prefix is kept. */
  baseUrl: URL;
  /** Deadline for a whole call: connect, headers and body. */
  timeoutMs: number;
  /** Most keep-alive connections held to the model service. Default 32. */
  connections?: number;
  /** Largest response body accepted; undici drops the connection past it. Default 1 MiB. */
  maxResponseBytes?: number;
}

/** An answer of the model service that the caller should see: 2xx, or a 4xx about the caller's input. */
export interface ModelAnswer {
  status: number;
  body: unknown;
}

const TIMEOUT_CODES = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

/** What undici throws when a body passes the pool's `maxResponseSize`. */
const TOO_LARGE_CODE = 'UND_ERR_RES_EXCEEDED_MAX_SIZE';

/**
 * Maps a failure to the upstream error the caller sees: 504 when the deadline passed; 502 for an answer too large
 * or not JSON (status known), or for any other transport failure.
 */
function upstreamError(err: unknown, status?: number): UpstreamError {
  const name = err instanceof Error ? err.name : '';
  const code = err instanceof Error && 'code' in err ? String(err.code) : '';
  if (name === 'TimeoutError' || TIMEOUT_CODES.has(code)) return new UpstreamTimeoutError(err);
  if (status !== undefined && code === TOO_LARGE_CODE) {
    return new UpstreamBadResponseError('model service response too large', status, err);
  }
  // `body.json()` parses with JSON.parse: its SyntaxError means the body was not JSON (or empty).
  if (status !== undefined && err instanceof SyntaxError) {
    return new UpstreamBadResponseError('model service returned an invalid response', status, err);
  }
  return new UpstreamUnavailableError(err);
}

/**
 * Client for the model service over one keep-alive connection pool, created once per process.
 * It returns only answers worth relaying (2xx, 4xx with a JSON body) and throws an upstream error for everything
 * else, so a failure can never reach the caller as a 200.
 */
export class ModelServiceClient {
  readonly #pool: Pool;
  readonly #basePath: string;
  readonly #timeoutMs: number;

  constructor(options: ModelServiceClientOptions) {
    this.#pool = new Pool(options.baseUrl.origin, {
      connections: options.connections ?? 32,
      // A misbehaving upstream cannot make us buffer more than this: undici stops reading past it.
      maxResponseSize: options.maxResponseBytes ?? 1024 * 1024,
    });
    this.#basePath = options.baseUrl.pathname.replace(/\/+$/, '');
    this.#timeoutMs = options.timeoutMs;
  }

  /** `POST /admission` on the model service, with the caller's identity assertion when there is one. */
  admission(
    request: AdmissionRequest,
    caller: { assertion?: string | undefined } = {},
  ): Promise<ModelAnswer> {
    return this.#postJson('/admission', request, caller.assertion);
  }

  /** Closes the pool's connections; pending calls finish first. */
  close(): Promise<void> {
    return this.#pool.close();
  }

  async #postJson(path: string, payload: unknown, assertion: string | undefined): Promise<ModelAnswer> {
    const signal = AbortSignal.timeout(this.#timeoutMs);
    let response: Awaited<ReturnType<Pool['request']>>;
    try {
      response = await this.#pool.request({
        method: 'POST',
        path: `${this.#basePath}${path}`,
        headers: {
          'content-type': 'application/json',
          accept: 'application/json',
          ...(assertion === undefined ? {} : { [ASSERTION_HEADER]: assertion }),
        },
        body: JSON.stringify(payload),
        signal,
      });
    } catch (err) {
      throw upstreamError(err);
    }

    const status = response.statusCode;
    if (status >= 500 || status < 200 || (status >= 300 && status < 400)) {
      await response.body.dump().catch(() => undefined);
      throw new UpstreamBadResponseError(`model service failed (HTTP ${status})`, status);
    }
    try {
      return { status, body: await response.body.json() };
    } catch (err) {
      throw upstreamError(err, status);
    }
  }
}
