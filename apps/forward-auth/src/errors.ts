import { HttpError } from '@gateway-pattern/service-kit';

/** No usable `Authorization: Bearer <token>` header: 403, as FastAPI's `HTTPBearer` answers it. */
export class NotAuthenticatedError extends HttpError {
  constructor() {
    super(403, 'Not authenticated', { code: 'NOT_AUTHENTICATED' });
    this.name = 'NotAuthenticatedError';
  }
}

/** A bearer token no verifier accepts: 401 with the RFC 6750 challenge. */
export class InvalidTokenError extends HttpError {
  constructor() {
    super(401, 'Invalid Token', {
      code: 'INVALID_TOKEN',
      headers: { 'www-authenticate': 'Bearer error="invalid_token"' },
    });
    this.name = 'InvalidTokenError';
  }
}

/** Quotes a value for an RFC 6750 challenge parameter: no quotes or backslashes survive. */
const challengeValue = (value: string): string => value.replace(/["\\\r\n]/g, '');

/** A JWT from a trusted issuer's scheme that fails a check: 401 saying which, with the RFC 6750 challenge. */
export class InvalidJwtError extends HttpError {
  readonly reason: string;

  constructor(reason: string, options: { cause?: unknown } = {}) {
    super(401, `Invalid Token: ${reason}`, {
      code: 'INVALID_JWT',
      headers: {
        'www-authenticate': `Bearer error="invalid_token", error_description="${challengeValue(reason)}"`,
      },
      cause: options.cause,
    });
    this.name = 'InvalidJwtError';
    this.reason = reason;
  }
}

/** A valid token whose claims lack a required value (a role): 403, as RFC 6750 `insufficient_scope`. */
export class InsufficientScopeError extends HttpError {
  constructor(requirement: string) {
    super(403, `Insufficient scope: ${requirement}`, {
      code: 'INSUFFICIENT_SCOPE',
      headers: {
        'www-authenticate': `Bearer error="insufficient_scope", error_description="${challengeValue(requirement)}"`,
      },
    });
    this.name = 'InsufficientScopeError';
  }
}

/** The issuer's keys cannot be fetched and none is cached: 503, the request is not let through. */
export class IssuerUnavailableError extends HttpError {
  constructor(options: { cause?: unknown } = {}) {
    super(503, 'Token issuer unavailable', { code: 'ISSUER_UNAVAILABLE', cause: options.cause });
    this.name = 'IssuerUnavailableError';
  }
}

/** A login callback that cannot complete (unknown state, refused by the provider, bad response): 4xx or 502. */
export class LoginFailedError extends HttpError {
  constructor(statusCode: 400 | 403 | 502, reason: string, options: { cause?: unknown } = {}) {
    super(statusCode, `Sign-in failed: ${reason}`, { code: 'LOGIN_FAILED', cause: options.cause });
    this.name = 'LoginFailedError';
  }
}

/** The OpenID provider cannot be reached to start or finish a login: 503. */
export class LoginUnavailableError extends HttpError {
  constructor(options: { cause?: unknown } = {}) {
    super(503, 'Identity provider unavailable', { code: 'LOGIN_UNAVAILABLE', cause: options.cause });
    this.name = 'LoginUnavailableError';
  }
}

/** `/oauth2/*` when browser login is not configured. */
export class LoginDisabledError extends HttpError {
  constructor() {
    super(404, 'Browser login is not configured (OIDC_ISSUER is unset)', { code: 'LOGIN_DISABLED' });
    this.name = 'LoginDisabledError';
  }
}

/**
 * The forwardAuth address carries an `aud` parameter that cannot be an audience (empty, spaces or control
 * characters, over 256 characters, more than 8 of them): a gateway misconfiguration, so 500 and never a pass.
 */
export class BadAudienceError extends HttpError {
  constructor() {
    super(
      500,
      'Misconfigured forwardAuth address: each aud must be 1 to 256 printable characters, at most 8',
      {
        code: 'BAD_AUDIENCE',
      },
    );
    this.name = 'BadAudienceError';
  }
}
