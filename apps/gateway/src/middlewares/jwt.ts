/**
 * `jwt` (a plugin-shaped middleware, API Management's `validate-jwt`): lets a request through only with a
 * bearer access token signed by the configured issuer, for one of the configured audiences, unexpired, and
 * holding the required claim values.
 *
 * - The token comes from `Authorization: Bearer <token>`; it must carry `exp`, and its `alg` must be one of
 *   `algorithms` (asymmetric only, checked at load time).
 * - Keys come from the issuer's JWKS (`jwt/key-source.ts`): discovery or a JWKS URL, cached, refetched on an
 *   unknown `kid` after a cooldown. No keys to be had: 503, the backend is never called.
 * - Refusals (`jwt/answers.ts`): 401 without a token or with a bad one, 403 without a required claim value.
 * - Passing: every `claimHeaders` header is set from its claim (client-sent copies are always removed first,
 *   so a client cannot forge them), `Authorization` is kept unless `forwardAuthorization: false`, and the
 *   access log's `ClientUsername` is the token's `sub`.
 */

import { hash } from 'node:crypto';
import { type JWTPayload, type JWTVerifyOptions, jwtVerify } from 'jose';
import { fetch } from 'undici';
import type { JwtConfig } from '../config/jwt-schema.ts';
import { KeysUnavailableError } from '../errors.ts';
import type { Exchange } from '../http/exchange.ts';
import type { LeasePool } from '../http/transport.ts';
import { challenge, describeTokenError, sendDetail } from './jwt/answers.ts';
import { claimOf, headerValue, unmetClaim } from './jwt/claims.ts';
import type { KeyCache } from './jwt/key-sets.ts';
import { type KeyFetch, KeySource } from './jwt/key-source.ts';
import type { Middleware } from './types.ts';

/** What a jwt middleware needs besides its config. */
export interface JwtDeps {
  /** Gives the keep-alive pool for the issuer's origins. */
  readonly lease: LeasePool;
  /** The remembered keys of this key source (shared across reloads). */
  readonly keyCache: KeyCache;
  /** Told about failures worth a log line: the keys cannot be fetched, or verification broke unexpectedly. */
  readonly onError?: (error: unknown, message: string) => void;
  /** How long after a failed key fetch the next may be tried (default 1 s). */
  readonly retryDelay?: number;
}

/** Tokens remembered as verified, per middleware (the oldest first out). */
const maxVerified = 10_000;

/** Discovery documents and key sets are small; anything larger is refused while reading. */
const maxDocumentSize = 1024 * 1024;

/** Where the keys of a jwt middleware come from, as one string: middlewares that agree share a key cache. */
export function keySourceId(options: JwtConfig): string {
  return JSON.stringify([options.issuer, options.jwksUrl ?? discoveryUrlOf(options)]);
}

const discoveryUrlOf = (options: JwtConfig): string =>
  options.discoveryUrl ?? `${options.issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`;

type Verified =
  | { readonly ok: true; readonly payload: JWTPayload }
  | { readonly ok: false; readonly unavailable: true }
  | { readonly ok: false; readonly unavailable: false; readonly description: string };

// RFC 6750 §2.1 b64token.
const b64token = /^[A-Za-z0-9\-._~+/]+=*$/;

/** Builds a jwt middleware; nothing is fetched until the first request. */
export function jwt(options: JwtConfig, deps: JwtDeps): Middleware {
  const keyFetch: KeyFetch = (url, init) => {
    const pool = deps.lease(new URL(url).origin, {
      dialTimeout: options.jwksTimeout,
      responseHeaderTimeout: options.jwksTimeout,
      idleConnTimeout: 90_000,
      bodyTimeout: options.jwksTimeout,
      maxResponseSize: maxDocumentSize,
    });
    return fetch(url, {
      headers: Object.fromEntries(init.headers),
      signal: init.signal,
      redirect: init.redirect,
      dispatcher: pool,
    }) as unknown as Promise<Response>;
  };
  const keys = new KeySource({
    issuer: options.issuer,
    discoveryUrl: options.jwksUrl === undefined ? discoveryUrlOf(options) : undefined,
    jwksUrl: options.jwksUrl,
    timeout: options.jwksTimeout,
    cooldown: options.cooldown,
    cacheMaxAge: options.cacheMaxAge,
    retryDelay: deps.retryDelay,
    fetch: keyFetch,
    cache: deps.keyCache,
    onError: (error) => deps.onError?.(error, 'jwt: the issuer keys cannot be fetched'),
  });
  const verifyOptions: JWTVerifyOptions = {
    issuer: options.issuer,
    audience: options.audiences,
    algorithms: options.algorithms,
    clockTolerance: options.clockTolerance / 1000,
    // jose checks exp only when present; API Management requires it, and so does this middleware.
    requiredClaims: ['exp'],
    typ: options.typ,
  };
  const claimHeaders = Object.entries(options.claimHeaders).map(([name, claim]) => ({
    name: name.toLowerCase(),
    claim,
  }));
  const realm = options.realm;

  const refuse = (exchange: Exchange, description: string): void =>
    sendDetail(exchange, 401, `Invalid token: ${description}`, {
      'www-authenticate': challenge(realm, 'invalid_token', description),
    });

  // Tokens verified already, by SHA-256 of the whole token (signature included), with the key set they were
  // verified against: a client sends the same token with every request, and a signature check through jose costs
  // 100 us and more. One is used again only while the key set is the same object (any fetch replaces it, a
  // rotation included) and it has not expired; every other check is done on each request from its payload.
  const verified = new Map<string, { readonly payload: JWTPayload; readonly keySet: unknown }>();
  const tolerance = options.clockTolerance / 1000;

  const verify = async (token: string): Promise<Verified> => {
    const digest = hash('sha256', token, 'base64url');
    const known = verified.get(digest);
    if (known !== undefined) {
      // jose's rule: expired once exp is at or before now minus the tolerance (exp is required, so a number).
      const fresh = (known.payload.exp as number) > Date.now() / 1000 - tolerance;
      if (fresh && known.keySet === deps.keyCache.jwks.jwks) return { ok: true, payload: known.payload };
      verified.delete(digest);
    }
    try {
      const { payload } = await jwtVerify(token, keys.getKey, verifyOptions);
      verified.set(digest, { payload, keySet: deps.keyCache.jwks.jwks });
      if (verified.size > maxVerified) {
        const oldest = verified.keys().next().value;
        if (oldest !== undefined) verified.delete(oldest);
      }
      return { ok: true, payload };
    } catch (error) {
      if (error instanceof KeysUnavailableError) return { ok: false, unavailable: true };
      if (typeof (error as { code?: unknown } | null)?.code !== 'string') {
        // Not one of jose's refusals: still a refusal (fail closed), but worth a look.
        deps.onError?.(error, 'jwt: verifying a token failed unexpectedly; answering 401');
      }
      return { ok: false, unavailable: false, description: describeTokenError(error) };
    }
  };

  return (next) => async (exchange) => {
    // Whatever happens next, the backend never sees a client's own copy of a header this middleware sets.
    for (const { name } of claimHeaders) delete exchange.headers[name];

    const authorization = exchange.headers.authorization ?? [];
    if (authorization.length > 1) {
      const description = 'send one Authorization header';
      sendDetail(exchange, 400, `Bad request: ${description}`, {
        'www-authenticate': challenge(realm, 'invalid_request', description),
      });
      return;
    }
    const credentials = authorization[0]?.trim() ?? '';
    const space = credentials.indexOf(' ');
    const scheme = space === -1 ? credentials : credentials.slice(0, space);
    const token = space === -1 ? '' : credentials.slice(space + 1).trim();
    // No bearer credentials at all (none, another scheme, a bare "Bearer"): nothing was tried.
    if (scheme.toLowerCase() !== 'bearer' || token === '') {
      sendDetail(exchange, 401, 'Not authenticated', { 'www-authenticate': challenge(realm) });
      return;
    }
    if (!b64token.test(token)) {
      refuse(exchange, 'the bearer token is malformed');
      return;
    }

    const verified = await verify(token);
    if (!verified.ok) {
      if (verified.unavailable) {
        sendDetail(exchange, 503, "Service unavailable: the token issuer's keys cannot be fetched", {
          'retry-after': '1',
        });
      } else refuse(exchange, verified.description);
      return;
    }
    const { payload } = verified;

    const unmet = unmetClaim(payload, options.requiredClaims);
    if (unmet !== undefined) {
      const description = `the ${unmet} claim does not hold a required value`;
      sendDetail(exchange, 403, `Insufficient scope: ${description}`, {
        'www-authenticate': challenge(realm, 'insufficient_scope', description),
      });
      return;
    }

    const values: [string, string][] = [];
    for (const { name, claim } of claimHeaders) {
      const header = headerValue(claimOf(payload, claim));
      if (!header.ok) {
        refuse(exchange, `the ${claim} claim ${header.reason}`);
        return;
      }
      if (header.value !== undefined) values.push([name, header.value]);
    }
    for (const [name, value] of values) exchange.headers[name] = [value];
    if (!options.forwardAuthorization) delete exchange.headers.authorization;
    if (typeof payload.sub === 'string') exchange.log.ClientUsername = payload.sub;
    return next(exchange);
  };
}
