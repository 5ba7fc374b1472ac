import { type AssertedIdentity, IDENTITY_HEADERS } from '@gateway-pattern/identity-assertion';

/** Response headers that carry the caller's identity; the gateway lists each in `authResponseHeaders`. */
export { IDENTITY_HEADERS };

/** Who the caller is, as far as the credential says. */
export interface Identity {
  /** `sub` of a token or session, or a static token's principal. */
  user: string;
  email?: string;
  roles?: readonly string[];
  /** The OAuth client the token was issued to (`azp`, else `client_id` or Azure v1's `appid`). */
  client?: string;
}

const HEADER_SAFE = /^[\x21-\x7E](?:[\x20-\x7E]{0,510}[\x21-\x7E])?$/;

/**
 * Whether a value can go into a header unchanged: printable ASCII, no leading or trailing space, at most 512
 * characters. Claims are the issuer's data, not ours, and a CR/LF or a non-Latin-1 character would either split
 * the header or make Node refuse the whole response.
 */
export function isHeaderSafe(value: unknown): value is string {
  return typeof value === 'string' && HEADER_SAFE.test(value);
}

const firstString = (...values: unknown[]): string | undefined =>
  values.find((value): value is string => isHeaderSafe(value));

/** Roles a `roles` claim lists, keeping only those that fit into a comma-separated header. */
export function rolesOf(claim: unknown): string[] {
  if (!Array.isArray(claim)) return [];
  return claim.filter((role): role is string => isHeaderSafe(role) && !role.includes(','));
}

/** The identity of a verified token's payload. */
export function identityFromClaims(user: string, claims: Readonly<Record<string, unknown>>): Identity {
  const identity: Identity = { user, roles: rolesOf(claims.roles) };
  const client = firstString(claims.azp, claims.client_id, claims.appid);
  if (client !== undefined) identity.client = client;
  if (isHeaderSafe(claims.email)) identity.email = claims.email;
  return identity;
}

/**
 * What forward-auth vouches for: the identity without the values that cannot be header values. The headers and the
 * signed assertion are both made from it, so a backend that checks one against the other finds them equal.
 */
export function vouchedIdentity(identity: Identity): AssertedIdentity {
  const vouched: AssertedIdentity = { sub: identity.user, roles: rolesOf(identity.roles ?? []) };
  if (isHeaderSafe(identity.email)) vouched.email = identity.email;
  if (isHeaderSafe(identity.client)) vouched.client = identity.client;
  return vouched;
}

/**
 * The headers of an identity; a value that is absent or unsafe is left out, and the gateway then removes any copy the
 * client sent. Roles are comma-separated; a caller with none gets no `X-Auth-Roles`.
 */
export function identityHeaders(identity: Identity): Record<string, string> {
  const vouched = vouchedIdentity(identity);
  const headers: Record<string, string> = { [IDENTITY_HEADERS.user]: vouched.sub };
  if (vouched.email !== undefined) headers[IDENTITY_HEADERS.email] = vouched.email;
  if (vouched.roles.length > 0) headers[IDENTITY_HEADERS.roles] = vouched.roles.join(',');
  if (vouched.client !== undefined) headers[IDENTITY_HEADERS.client] = vouched.client;
  return headers;
}
