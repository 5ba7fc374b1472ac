import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  randomUUID,
  sign,
} from 'node:crypto';
import type { JWK } from 'jose';
import { ASSERTION_ALGORITHM, type AssertedIdentity } from './contract.ts';
import { derToP1363 } from './ecdsa.ts';

/** A signing key that cannot be used: not a PEM private key, or not EC P-256. */
export class AssertionKeyError extends Error {
  readonly code = 'ERR_ASSERTION_KEY';

  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = 'AssertionKeyError';
  }
}

/**
 * Reads a PKCS#8 or SEC1 PEM private key and checks it is EC P-256 (ES256), as made by
 * `openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256`. Errors never quote the key.
 */
export function signingKeyFromPem(pem: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPrivateKey(pem);
  } catch (err) {
    throw new AssertionKeyError('not a PEM private key', { cause: err });
  }
  if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
    throw new AssertionKeyError(
      'must be an EC P-256 private key for ES256 (openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256)',
    );
  }
  return key;
}

/** Options of {@link AssertionSigner}. */
export interface AssertionSignerOptions {
  /** `iss` of every assertion; backends pin it. */
  issuer: string;
  /** Lifetime of an assertion in seconds (1 to 3600): long enough for one request, and its relays. */
  ttlSeconds: number;
  /** The EC P-256 private key; omitted, one is made now and lives as long as this signer. */
  privateKey?: KeyObject;
}

const base64url = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

/** The RFC 7638 thumbprint of an EC public JWK: stable for a key, so it serves as `kid`. */
function thumbprint(jwk: JWK): string {
  const canonical = JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y });
  return createHash('sha256').update(canonical).digest('base64url');
}

/**
 * Signs identity assertions (ES256 JWTs) and publishes the public key as a JWKS. Options are checked here, so a
 * bad issuer, lifetime or key stops the service at start, not at the first request.
 */
export class AssertionSigner {
  readonly issuer: string;
  readonly ttlSeconds: number;
  /** Key id in every assertion's header and in the JWKS. */
  readonly kid: string;
  /** Whether the key was made by this signer (so it changes when the process restarts). */
  readonly generatedKey: boolean;
  readonly #privateKey: KeyObject;
  readonly #publicJwk: JWK;
  /** The protected header, the same for every assertion, encoded once. */
  readonly #header: string;

  constructor(options: AssertionSignerOptions) {
    if (typeof options.issuer !== 'string' || options.issuer.length === 0 || options.issuer.length > 256) {
      throw new TypeError('AssertionSigner: issuer must be a string of 1 to 256 characters');
    }
    if (!Number.isInteger(options.ttlSeconds) || options.ttlSeconds < 1 || options.ttlSeconds > 3600) {
      throw new TypeError('AssertionSigner: ttlSeconds must be an integer from 1 to 3600');
    }
    this.issuer = options.issuer;
    this.ttlSeconds = options.ttlSeconds;
    this.generatedKey = options.privateKey === undefined;
    this.#privateKey = options.privateKey ?? generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
    const jwk = createPublicKey(this.#privateKey).export({ format: 'jwk' }) as JWK;
    this.kid = thumbprint(jwk);
    this.#publicJwk = {
      kty: jwk.kty,
      crv: jwk.crv,
      x: jwk.x,
      y: jwk.y,
      kid: this.kid,
      alg: ASSERTION_ALGORITHM,
      use: 'sig',
    };
    this.#header = base64url({ alg: ASSERTION_ALGORITHM, kid: this.kid, typ: 'JWT' });
  }

  /** The public key set, as `GET /.well-known/jwks.json` serves it. */
  jwks(): { keys: JWK[] } {
    return { keys: [{ ...this.#publicJwk }] };
  }

  /**
   * An assertion of `identity` for `audiences` (at least one), issued at `now` (ms since the epoch; tests move it).
   * `email` and `client` appear only when present; `roles` always, possibly empty.
   */
  sign(identity: AssertedIdentity, audiences: readonly string[], now: number = Date.now()): Promise<string> {
    const [first, ...rest] = audiences;
    if (first === undefined) throw new TypeError('AssertionSigner: at least one audience is required');
    const iat = Math.floor(now / 1000);
    const claims: Record<string, unknown> = { sub: identity.sub, roles: [...identity.roles] };
    if (identity.email !== undefined) claims.email = identity.email;
    if (identity.client !== undefined) claims.client = identity.client;
    claims.iss = this.issuer;
    claims.aud = rest.length === 0 ? first : [first, ...rest];
    claims.iat = iat;
    claims.exp = iat + this.ttlSeconds;
    claims.jti = randomUUID();
    // A compact JWS (RFC 7515) signed with node:crypto: ES256 is ECDSA P-256 over SHA-256 with the signature as
    // r || s (IEEE P1363). Signed in DER with the bare key object and converted here: about 30 us of CPU, where
    // `dsaEncoding: 'ieee-p1363'` took 66 us and jose's WebCrypto path 110 us; one per request through forwardAuth.
    // On libuv's thread pool (the callback form), so the event loop goes on parsing and answering meanwhile.
    const input = `${this.#header}.${base64url(claims)}`;
    return new Promise((resolve, reject) => {
      sign('sha256', Buffer.from(input), this.#privateKey, (err, der) => {
        if (err === null) resolve(`${input}.${derToP1363(der).toString('base64url')}`);
        else reject(err);
      });
    });
  }
}
