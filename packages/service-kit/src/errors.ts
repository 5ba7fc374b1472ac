/**
 * An error that maps to an HTTP status with a JSON `{"detail": ...}` body.
 * Throw it from a route; the service's error handler renders it. `code` is stable and machine-readable.
 */
export class HttpError extends Error {
  readonly statusCode: number;
  readonly code: string;
  readonly headers: Readonly<Record<string, string>>;

  constructor(
    statusCode: number,
    detail: string,
    options: { code?: string; headers?: Record<string, string>; cause?: unknown } = {},
  ) {
    super(detail, { cause: options.cause });
    this.name = 'HttpError';
    this.statusCode = statusCode;
    this.code = options.code ?? `HTTP_${statusCode}`;
    this.headers = options.headers ?? {};
  }
}

/** Thrown by {@link loadEnv} when the environment does not satisfy the service's schema. */
export class EnvError extends Error {
  readonly code = 'ERR_INVALID_ENV';
  readonly problems: readonly string[];

  constructor(service: string, problems: readonly string[]) {
    super(`${service}: invalid environment:\n  - ${problems.join('\n  - ')}`);
    this.name = 'EnvError';
    this.problems = problems;
  }
}
