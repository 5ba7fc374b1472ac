import type { FastifyRequest } from 'fastify';

/** What a verifier learned about the caller from an accepted token. */
export interface Verification {
  /** Who the caller is; sent to the gateway as `X-Auth-User`. */
  principal: string;
  /** Claims the token carried (JWT verifiers fill this; static tokens have none). */
  claims?: Readonly<Record<string, unknown>>;
}

/**
 * One way of accepting a bearer token (a static list, a JWT from an OIDC issuer, ...).
 * `verify` resolves to `null` for a token it does not accept, so the next verifier can try. A verifier that
 * recognises the token as its kind and refuses it rejects instead, with an `HttpError` saying why (a JWT that
 * expired, an issuer whose keys are unreachable), and the check fails closed with that answer.
 */
export interface TokenVerifier {
  /** Short name for logs, e.g. `static`. */
  readonly name: string;
  /** `request` is the `/auth` request the token came with. */
  verify(token: string, request: FastifyRequest): Promise<Verification | null>;
}

/**
 * Asks each verifier in turn and returns the first acceptance, or `null` when none accepts the token; a
 * verifier's rejection ends the search. An empty list accepts nothing.
 */
export async function verifyWithAny(
  verifiers: readonly TokenVerifier[],
  token: string,
  request: FastifyRequest,
): Promise<(Verification & { verifier: string }) | null> {
  for (const verifier of verifiers) {
    const result = await verifier.verify(token, request);
    if (result) return { ...result, verifier: verifier.name };
  }
  return null;
}
