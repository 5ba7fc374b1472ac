/** What a verifier learned about the caller from an accepted token. */
export interface Verification {
  /** Who the caller is; sent to the gateway as `X-Auth-User`. */
  principal: string;
  /** Claims the token carried (JWT verifiers fill this; static tokens have none). */
  claims?: Readonly<Record<string, unknown>>;
}

/**
 * One way of accepting a bearer token (a static list, a JWT from an OIDC issuer, ...).
 * `verify` resolves to `null` for a token it does not accept, so the next verifier can try; it rejects only when
 * it cannot decide at all (say the issuer's keys are unreachable), and the check then fails closed.
 */
export interface TokenVerifier {
  /** Short name for logs, e.g. `static`. */
  readonly name: string;
  verify(token: string): Promise<Verification | null>;
}

/**
 * Asks each verifier in turn and returns the first acceptance, or `null` when none accepts the token.
 * An empty list accepts nothing.
 */
export async function verifyWithAny(
  verifiers: readonly TokenVerifier[],
  token: string,
): Promise<(Verification & { verifier: string }) | null> {
  for (const verifier of verifiers) {
    const result = await verifier.verify(token);
    if (result) return { ...result, verifier: verifier.name };
  }
  return null;
}
