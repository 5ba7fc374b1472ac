import fastifyJwt, { type TokenOrHeader } from '@fastify/jwt';
import type { Service } from '@gateway-pattern/service-kit';
import type { FastifyRequest } from 'fastify';
import { InsufficientScopeError, InvalidJwtError, IssuerUnavailableError } from '../errors.ts';
import { isHeaderSafe } from '../identity-headers.ts';
import { bearerToken } from '../tokens/bearer.ts';
import type { TokenVerifier, Verification } from '../tokens/verifier.ts';
import { describeRequirement, unmetRequirement } from './claims.ts';
import { jwtHeader, unverifiedPayload } from './decode.ts';
import type { JwtIssuer } from './issuers.ts';
import { IssuerKeys, type JwksOptions, KeyLookupError } from './jwks.ts';

/**
 * Claims every accepted token must carry. fast-jwt skips its `iss` and `aud` checks when the claim is absent, so
 * they are required here, and a token without `exp` would never expire.
 */
const REQUIRED_CLAIMS = ['iss', 'aud', 'exp', 'sub'];

type VerifyRequest = (this: FastifyRequest) => Promise<Record<string, unknown>>;

interface TrustedIssuer {
  config: JwtIssuer;
  keys: IssuerKeys;
  /** Name of the request decorator @fastify/jwt adds for this issuer's namespace. */
  verifyMethod: string;
}

const sentence = (message: string): string => {
  const text = message.replace(/\.$/, '');
  return text.charAt(0).toLowerCase() + text.slice(1);
};

/**
 * Why @fastify/jwt refused a token, as a 401 or a 503. It makes 401s of a few fast-jwt errors only and lets the
 * others (a token not yet valid, a wrong algorithm, a failed key fetch) through as 500s; none of them may let a
 * request pass or crash the check.
 */
function refusal(err: unknown): InvalidJwtError | IssuerUnavailableError | null {
  if (err instanceof KeyLookupError) {
    return err.failure === 'unavailable'
      ? new IssuerUnavailableError({ cause: err })
      : new InvalidJwtError(err.message);
  }
  const code = (err as { code?: unknown }).code;
  const message = err instanceof Error ? err.message : String(err);
  if (code === 'FST_JWT_AUTHORIZATION_TOKEN_EXPIRED') return new InvalidJwtError('token expired');
  if (code === 'FAST_JWT_INACTIVE') return new InvalidJwtError('token not yet valid');
  if (code === 'FAST_JWT_MISSING_SIGNATURE') return new InvalidJwtError('token is not signed');
  if (code === 'FAST_JWT_INVALID_ALGORITHM')
    return new InvalidJwtError('algorithm not allowed for this issuer');
  if (
    code === 'FST_JWT_AUTHORIZATION_TOKEN_INVALID' ||
    (typeof code === 'string' && code.startsWith('FAST_JWT_'))
  ) {
    return new InvalidJwtError(sentence(message));
  }
  return null;
}

/**
 * Accepts JWTs from the configured issuers with @fastify/jwt (one namespace per issuer, so each keeps its own
 * audiences, algorithms and clock tolerance). A token that is not shaped like a JWT is left to the next verifier;
 * one that is gets a definite answer here: accepted, 401 `invalid_token` saying why, 403 `insufficient_scope`
 * for a missing role, or 503 when the issuer's keys cannot be fetched and none is cached.
 */
export class JwtVerifier implements TokenVerifier {
  readonly name = 'jwt';
  readonly #issuers = new Map<string, TrustedIssuer>();

  constructor(issuers: readonly JwtIssuer[], options: JwksOptions = {}) {
    issuers.forEach((config, index) => {
      this.#issuers.set(config.issuer, {
        config,
        keys: new IssuerKeys(config, options),
        verifyMethod: `issuer${index}JwtVerify`,
      });
    });
  }

  /** Registers @fastify/jwt once per issuer in `app`'s scope; the routes that use this verifier must be in it. */
  register(app: Service): void {
    this.#issuers.forEach(({ config, keys, verifyMethod }) => {
      app.register(fastifyJwt, {
        namespace: verifyMethod.replace(/JwtVerify$/, ''),
        // The key comes from this issuer's JWKS only; the token's header just names which one.
        secret: async (_request: FastifyRequest, decoded: TokenOrHeader) =>
          keys.publicKey('header' in decoded ? decoded.header : decoded),
        decode: { complete: true },
        verify: {
          algorithms: [...config.algorithms],
          allowedIss: config.issuer,
          allowedAud: [...config.audiences],
          requiredClaims: REQUIRED_CLAIMS,
          clockTolerance: config.clockTolerance * 1000,
          extractToken: (request) => bearerToken(request.headers.authorization) ?? undefined,
        },
        messages: { authorizationTokenInvalid: (err) => err.message },
      });
    });
  }

  async verify(token: string, request: FastifyRequest): Promise<Verification | null> {
    const header = jwtHeader(token);
    if (header === null) return null;
    const unverified = unverifiedPayload(token);
    if (unverified === null) throw new InvalidJwtError('malformed payload');
    // The unverified `iss` only chooses among configured issuers; the signature check then uses that issuer's keys.
    const trusted = typeof unverified.iss === 'string' ? this.#issuers.get(unverified.iss) : undefined;
    if (trusted === undefined) throw new InvalidJwtError('issuer not accepted');
    if (!(trusted.config.algorithms as readonly string[]).includes(header.alg)) {
      throw new InvalidJwtError('algorithm not allowed for this issuer');
    }

    let payload: Record<string, unknown>;
    try {
      const verifyRequest = (request as unknown as Record<string, VerifyRequest | undefined>)[
        trusted.verifyMethod
      ];
      if (verifyRequest === undefined)
        throw new Error(`${trusted.verifyMethod} is not registered in this scope`);
      payload = await verifyRequest.call(request);
    } catch (err) {
      const mapped = refusal(err);
      if (mapped === null) {
        request.log.error({ err }, 'unexpected JWT verification error; refusing the token');
        throw new InvalidJwtError('token could not be verified', { cause: err });
      }
      if (mapped instanceof IssuerUnavailableError) {
        request.log.warn({ err, issuer: trusted.config.issuer }, 'issuer keys unavailable');
      }
      throw mapped;
    }

    if (!isHeaderSafe(payload.sub)) throw new InvalidJwtError('sub claim is not a usable user name');
    const unmet = unmetRequirement(payload, trusted.config.requiredClaims);
    if (unmet !== null) throw new InsufficientScopeError(describeRequirement(unmet));
    return { principal: payload.sub, claims: payload };
  }
}
