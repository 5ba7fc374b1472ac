import { HttpError } from '@gateway-pattern/service-kit';

/** A request without an assertion where one is required: 401. */
export class MissingAssertionError extends HttpError {
  constructor() {
    super(401, 'Missing identity assertion', { code: 'ASSERTION_MISSING' });
    this.name = 'MissingAssertionError';
  }
}

/** An assertion that fails a check (signature, issuer, audience, expiry, claims, identity headers): 401. */
export class InvalidAssertionError extends HttpError {
  /** What failed, e.g. `expired`; also in the detail. */
  readonly reason: string;

  constructor(reason: string, options: { cause?: unknown } = {}) {
    super(401, `Invalid identity assertion: ${reason}`, { code: 'ASSERTION_INVALID', cause: options.cause });
    this.name = 'InvalidAssertionError';
    this.reason = reason;
  }
}

/** forward-auth's keys cannot be fetched (and none is cached): 503, and the request is not served. */
export class AssertionKeysUnavailableError extends HttpError {
  constructor(options: { cause?: unknown } = {}) {
    super(503, 'Identity assertion keys unavailable', {
      code: 'ASSERTION_KEYS_UNAVAILABLE',
      cause: options.cause,
    });
    this.name = 'AssertionKeysUnavailableError';
  }
}
