import { createHash, timingSafeEqual } from 'node:crypto';
import type { TokenVerifier, Verification } from './verifier.ts';

/** A configured static bearer token and the principal it stands for. */
export interface StaticToken {
  token: string;
  principal: string;
}

/** Principal reported for a `STATIC_TOKENS` entry that names none. */
export const DEFAULT_STATIC_PRINCIPAL = 'static-token';

/** RFC 6750 `b64token`: what a bearer token may be made of. */
const TOKEN_SYNTAX = /^[A-Za-z0-9\-._~+/]+=*$/;
/** Printable ASCII with no leading or trailing space, so the principal is a safe header value. */
const PRINCIPAL_SYNTAX = /^[\x21-\x7E](?:[\x20-\x7E]*[\x21-\x7E])?$/;

/** Thrown by {@link parseStaticTokens}; each problem names the entry by position, never by its secret. */
export class StaticTokenSpecError extends Error {
  readonly code = 'ERR_STATIC_TOKENS';
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super(`invalid STATIC_TOKENS: ${problems.join('; ')}`);
    this.name = 'StaticTokenSpecError';
    this.problems = problems;
  }
}

/**
 * Parses `STATIC_TOKENS`: a comma-separated list of `token` or `token:principal`. Blank entries are skipped
 * (a trailing comma is harmless); malformed or duplicate tokens are errors, reported all at once.
 */
export function parseStaticTokens(spec: string): StaticToken[] {
  const tokens: StaticToken[] = [];
  const problems: string[] = [];
  const seen = new Map<string, number>();
  spec.split(',').forEach((raw, index) => {
    const entry = raw.trim();
    if (entry === '') return;
    const position = `entry ${index + 1}`;
    const colon = entry.indexOf(':');
    const token = colon === -1 ? entry : entry.slice(0, colon).trim();
    const principal = colon === -1 ? DEFAULT_STATIC_PRINCIPAL : entry.slice(colon + 1).trim();
    if (!TOKEN_SYNTAX.test(token)) {
      problems.push(
        `${position}: token must be non-empty and use only RFC 6750 characters (A-Z a-z 0-9 - . _ ~ + / =)`,
      );
      return;
    }
    if (!PRINCIPAL_SYNTAX.test(principal)) {
      problems.push(`${position}: principal after ':' must be non-empty printable ASCII`);
      return;
    }
    const earlier = seen.get(token);
    if (earlier !== undefined) {
      problems.push(`${position}: same token as entry ${earlier}`);
      return;
    }
    seen.set(token, index + 1);
    tokens.push({ token, principal });
  });
  if (problems.length > 0) throw new StaticTokenSpecError(problems);
  return tokens;
}

const digest = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest();

/**
 * Accepts the configured static tokens. Both sides are hashed to 32 bytes and compared with `timingSafeEqual`,
 * and every configured token is compared on every call, so neither the token's length nor which entry matched
 * shows in the response time.
 */
export class StaticTokenVerifier implements TokenVerifier {
  readonly name = 'static';
  readonly #entries: readonly { digest: Buffer; principal: string }[];

  constructor(tokens: readonly StaticToken[]) {
    this.#entries = tokens.map(({ token, principal }) => ({ digest: digest(token), principal }));
  }

  /** How many tokens are configured. */
  get size(): number {
    return this.#entries.length;
  }

  async verify(token: string): Promise<Verification | null> {
    const presented = digest(token);
    let principal: string | null = null;
    for (const entry of this.#entries) {
      const equal = timingSafeEqual(presented, entry.digest);
      // Keep the first match but go on comparing: no early exit.
      if (equal && principal === null) principal = entry.principal;
    }
    return principal === null ? null : { principal };
  }
}
