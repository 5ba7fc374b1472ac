import { HttpError } from '@gateway-pattern/service-kit';

/** The model service could not be reached (connection refused, reset, DNS failure, ...): 502. */
export class UpstreamUnavailableError extends HttpError {
  constructor(cause: unknown) {
    super(502, 'model service unavailable', { code: 'UPSTREAM_UNAVAILABLE', cause });
    this.name = 'UpstreamUnavailableError';
  }
}

/** The model service did not answer within the deadline: 504. */
export class UpstreamTimeoutError extends HttpError {
  constructor(cause: unknown) {
    super(504, 'model service timed out', { code: 'UPSTREAM_TIMEOUT', cause });
    this.name = 'UpstreamTimeoutError';
  }
}

/** The model service failed (5xx) or answered something that is not a usable JSON response: 502. */
export class UpstreamBadResponseError extends HttpError {
  /** The model service's status, when it answered at all. */
  readonly upstreamStatus: number;

  constructor(detail: string, upstreamStatus: number, cause?: unknown) {
    super(502, detail, { code: 'UPSTREAM_BAD_RESPONSE', cause });
    this.name = 'UpstreamBadResponseError';
    this.upstreamStatus = upstreamStatus;
  }
}

/** Any failure to get a usable answer from the model service. */
export type UpstreamError = UpstreamUnavailableError | UpstreamTimeoutError | UpstreamBadResponseError;

/** Whether `err` is one of the upstream errors above. */
export function isUpstreamError(err: unknown): err is UpstreamError {
  return (
    err instanceof UpstreamUnavailableError ||
    err instanceof UpstreamTimeoutError ||
    err instanceof UpstreamBadResponseError
  );
}
