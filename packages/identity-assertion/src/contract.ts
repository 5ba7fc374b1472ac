/**
 * The identity assertion as forward-auth issues it and backends check it: one place for the header, the algorithm
 * and the claims, so signer and verifier cannot drift apart.
 */

/** Request header carrying the assertion: forward-auth → gateway → backend, and on from a backend that relays. */
export const ASSERTION_HEADER = 'x-auth-assertion';

/** The plain identity headers forward-auth answers next to the assertion; a verifying backend checks they agree. */
export const IDENTITY_HEADERS = {
  user: 'x-auth-user',
  email: 'x-auth-email',
  roles: 'x-auth-roles',
  client: 'x-auth-client',
} as const;

/** The one signing algorithm: ECDSA P-256, small signatures and fast to sign on every request. */
export const ASSERTION_ALGORITHM = 'ES256';

/** Who the caller is, as forward-auth vouches for it. */
export interface AssertedIdentity {
  /** The user (a token's or session's `sub`, a static token's principal). */
  sub: string;
  email?: string;
  /** App roles; empty when the credential carries none. */
  roles: string[];
  /** The OAuth client, when a machine called with a client-credentials token. */
  client?: string;
}

/** A verified assertion: the identity and the registered claims that made it acceptable. */
export interface IdentityAssertion extends AssertedIdentity {
  iss: string;
  /** The backends it is for: one audience, or several when a backend relays it to another. */
  aud: string | string[];
  /** Issued at and expiry, in seconds since the epoch. */
  iat: number;
  exp: number;
  /** Unique per assertion: for correlating log lines. */
  jti: string;
}
