/** A JWS compact serialisation's header, read without verifying anything. */
export interface JwtHeader extends Readonly<Record<string, unknown>> {
  readonly alg: string;
}

const SEGMENT = /^[A-Za-z0-9_-]+$/;

function decodeSegment(segment: string | undefined): Record<string, unknown> | null {
  if (segment === undefined || !SEGMENT.test(segment)) return null;
  try {
    const value: unknown = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}

/**
 * The header of a token shaped like a JWT (three dot-separated base64url parts, the first a JSON object with a
 * string `alg`), or `null` for anything else: that is what tells a JWT from a static token. The signature part may
 * be empty, as in an `alg: none` token, so that such a token is refused as a JWT rather than passed to static tokens.
 */
export function jwtHeader(token: string): JwtHeader | null {
  const parts = token.split('.');
  if (parts.length !== 3) return null;
  const header = decodeSegment(parts[0]);
  if (header === null || typeof header.alg !== 'string') return null;
  return header as JwtHeader;
}

/** The unverified payload of a JWT, or `null` when it is not a JSON object. Use it to pick an issuer, never to trust. */
export function unverifiedPayload(token: string): Record<string, unknown> | null {
  return decodeSegment(token.split('.')[1]);
}
