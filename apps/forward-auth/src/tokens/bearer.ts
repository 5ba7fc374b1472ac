/**
 * Extracts the token from an `Authorization: Bearer <token>` header, as FastAPI's `HTTPBearer` reads it:
 * the scheme is case-insensitive and the token must be non-empty. Returns `null` for a missing header,
 * another scheme (`Basic ...`) or an empty token; the caller answers those with 403 "Not authenticated".
 */
export function bearerToken(authorization: string | undefined): string | null {
  if (authorization === undefined) return null;
  const value = authorization.trim();
  const space = value.search(/[ \t]/);
  if (space <= 0) return null;
  if (value.slice(0, space).toLowerCase() !== 'bearer') return null;
  const token = value.slice(space + 1).trim();
  return token === '' ? null : token;
}
