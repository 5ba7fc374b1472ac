import type { AdmissionRequest } from '@gateway-pattern/admission-api';
import { Pool } from 'undici';
import { UpstreamBadResponseError, UpstreamTimeoutError, UpstreamUnavailableError } from './errors.ts';
import { InvalidJsonBodyError, readJsonBody } from './json-body.ts';

/** Options of {@link ModelServiceClient}. */
export interface ModelServiceClientOptions {
  /** Base URL of the model service, e.g. `http://127.0.0.1:8102`; a path prefix is kept. */
  baseUrl: URL;
  /** Deadline for a whole call: connect, headers and body. */
  timeoutMs: number;
  /** Most keep-alive connections held to the model service. Default 32. */
  connections?: number;
  /** Largest response body accepted. Default 1 MiB. */
  maxResponseBytes?: number;
}

/** An answer of the model service that the caller should see: 2xx, or a 4xx about the caller's input. */
export interface ModelAnswer {
  status: number;
  body: unknown;
}

const TIMEOUT_CODES = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

/** Maps a transport failure to 504 (deadline passed) or 502 (anything else). */
function transportError(err: unknown): UpstreamTimeoutError | UpstreamUnavailableError {
  const name = err instanceof Error ? err.name : '';
  const code = err instanceof Error && 'code' in err ? String(err.code) : '';
  if (name === 'TimeoutError' || TIMEOUT_CODES.has(code)) return new UpstreamTimeoutError(err);
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
  readonly #maxResponseBytes: number;

  constructor(options: ModelServiceClientOptions) {
    this.#pool = new Pool(options.baseUrl.origin, { connections: options.connections ?? 32 });
    this.#basePath = options.baseUrl.pathname.replace(/\/+$/, '');
    this.#timeoutMs = options.timeoutMs;
    this.#maxResponseBytes = options.maxResponseBytes ?? 1024 * 1024;
  }

  /** `POST /admission` on the model service. */
  admission(request: AdmissionRequest): Promise<ModelAnswer> {
    return this.#postJson('/admission', request);
  }

  /** Closes the pool's connections; pending calls finish first. */
  close(): Promise<void> {
    return this.#pool.close();
  }

  async #postJson(path: string, payload: unknown): Promise<ModelAnswer> {
    const signal = AbortSignal.timeout(this.#timeoutMs);
    let response: Awaited<ReturnType<Pool['request']>>;
    try {
      response = await this.#pool.request({
        method: 'POST',
        path: `${this.#basePath}${path}`,
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify(payload),
        signal,
      });
    } catch (err) {
      throw transportError(err);
    }

    const status = response.statusCode;
    if (status >= 500 || status < 200 || (status >= 300 && status < 400)) {
      await response.body.dump().catch(() => undefined);
      throw new UpstreamBadResponseError(`model service failed (HTTP ${status})`, status);
    }
    try {
      return { status, body: await readJsonBody(response.body, this.#maxResponseBytes) };
    } catch (err) {
      if (err instanceof InvalidJsonBodyError) {
        throw new UpstreamBadResponseError('model service returned an invalid response', status, err);
      }
      throw transportError(err);
    }
  }
}
