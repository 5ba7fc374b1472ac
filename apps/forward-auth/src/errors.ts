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
