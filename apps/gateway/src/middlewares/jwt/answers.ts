/**
 * How a `jwt` middleware refuses a request: RFC 6750 challenges and a JSON `detail`.
 *
 * - no bearer token: 401, `WWW-Authenticate: Bearer` without an error code (RFC 6750 §3.1: the client did not
 *   try, so there is nothing to report);
 * - a token that fails: 401 `error="invalid_token"` with an `error_description`;
 * - a valid token without a required claim value: 403 `error="insufficient_scope"`;
 * - several `Authorization` headers: 400 `error="invalid_request"`;
 * - the issuer's keys unavailable: 503 with `Retry-After`, no challenge (the token was not judged).
 */

import type { OutgoingHttpHeaders } from 'node:http';
import type { Exchange } from '../../http/exchange.ts';

/** RFC 6750 error codes. */
export type BearerError = 'invalid_request' | 'invalid_token' | 'insufficient_scope';

/** The `WWW-Authenticate` value; `"`, `\` and control characters are dropped from the description (RFC 6750 §3). */
export function challenge(realm: string | undefined, error?: BearerError, description?: string): string {
  const params: string[] = [];
  if (realm !== undefined) params.push(`realm="${realm}"`);
  if (error !== undefined) params.push(`error="${error}"`);
  // Claim names come from the configuration: keep only what a quoted-string may hold unescaped.
  if (description !== undefined)
    params.push(`error_description="${description.replace(/[^\x20\x21\x23-\x5b\x5d-\x7e]/g, '')}"`);
  return params.length === 0 ? 'Bearer' : `Bearer ${params.join(', ')}`;
}

/** Answers with `{"detail": ...}` as JSON. */
export function sendDetail(
  exchange: Exchange,
  status: number,
  detail: string,
  headers: OutgoingHttpHeaders = {},
): void {
  exchange.send(status, JSON.stringify({ detail }), { ...headers, 'content-type': 'application/json' });
}

const claimProblems: Readonly<Record<string, string>> = {
  iss: 'unexpected issuer',
  aud: 'unexpected audience',
  nbf: 'the token is not valid yet',
  typ: 'unexpected token type',
  iat: 'the token was issued in the future',
};

/** Why jose refused a token, in words fit for `error_description` (jose's own messages hold quotes). */
export function describeTokenError(error: unknown): string {
  const { code, claim, reason } = (error ?? {}) as { code?: unknown; claim?: unknown; reason?: unknown };
  switch (code) {
    case 'ERR_JWT_EXPIRED':
      return 'the token has expired';
    case 'ERR_JWT_CLAIM_VALIDATION_FAILED':
      if (reason === 'missing') return `the token has no ${String(claim)} claim`;
      if (reason === 'invalid') return `the ${String(claim)} claim is malformed`;
      return claimProblems[String(claim)] ?? `the ${String(claim)} claim is not accepted`;
    case 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED':
    case 'ERR_JWKS_MULTIPLE_MATCHING_KEYS':
      return 'the signature does not verify';
    case 'ERR_JOSE_ALG_NOT_ALLOWED':
      return 'the signing algorithm is not allowed';
    case 'ERR_JWKS_NO_MATCHING_KEY':
      return 'no published key matches the token';
    case 'ERR_JOSE_NOT_SUPPORTED':
      return 'the token uses an unsupported algorithm or key';
    case 'ERR_JWS_INVALID':
    case 'ERR_JWT_INVALID':
      return 'the token is malformed';
    default:
      return 'the token is invalid';
  }
}
