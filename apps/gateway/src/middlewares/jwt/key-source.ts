/**
 * Where a `jwt` middleware gets the issuer's public keys: the JWKS URL given, or the `jwks_uri` of the issuer's
 * OpenID discovery document (fetched on first use, its `issuer` checked byte for byte). The key set is jose's
 * remote JWKS: cached for `cacheMaxAge`, fetched again on an unknown `kid` at most once per `cooldown`.
 *
 * When a fetch fails:
 * - keys fetched earlier are used (stale rather than none: the issuer being down does not turn valid tokens
 *   away), and the issuer is asked again on the first request after `retryDelay`;
 * - with no keys at all, `KeysUnavailableError` (the middleware answers 503; a request never passes unchecked).
 * Within `retryDelay` of a failure nothing is fetched, so an outage costs one attempt per second, not one per
 * request, and requests do not each wait for a timeout.
 */

import {
  type CryptoKey,
  createLocalJWKSet,
  createRemoteJWKSet,
  customFetch,
  type FetchImplementation,
  type FlattenedJWSInput,
  type JSONWebKeySet,
  type JWKSCacheInput,
  type JWSHeaderParameters,
  jwksCache,
  type RemoteJWKSet,
} from 'jose';
import { KeysUnavailableError } from '../../errors.ts';
import type { KeyCache } from './key-sets.ts';

/** Fetches a URL (the middleware binds it to the gateway's keep-alive pools). */
export type KeyFetch = (
  url: string,
  init: { headers: Headers; signal: AbortSignal; redirect: 'manual' },
) => Promise<Response>;

/** Options of {@link KeySource}; durations in milliseconds. */
export interface KeySourceOptions {
  /** The expected issuer; the discovery document must name exactly this one. */
  readonly issuer: string;
  /** Discovery document URL, used when `jwksUrl` is not given. */
  readonly discoveryUrl: string | undefined;
  readonly jwksUrl: string | undefined;
  /** Longest wait for one fetch. */
  readonly timeout: number;
  /** Shortest time between two key-set fetches caused by an unknown `kid`. */
  readonly cooldown: number;
  /** How long a key set is used before it is fetched again. */
  readonly cacheMaxAge: number;
  /** How long after a failed fetch the next one may be tried. Default 1 s. */
  readonly retryDelay?: number;
  readonly fetch: KeyFetch;
  /** Survives reloads: what was learnt before is used at once. */
  readonly cache: KeyCache;
  /** Told about each failed fetch. */
  readonly onError: (error: KeysUnavailableError) => void;
}

// Errors about the token (its alg, its kid), not about the issuer: the key set itself was fine.
const tokenErrors = new Set([
  'ERR_JWKS_NO_MATCHING_KEY',
  'ERR_JWKS_MULTIPLE_MATCHING_KEYS',
  'ERR_JOSE_NOT_SUPPORTED',
]);

const code = (error: unknown): unknown => (error as { code?: unknown } | null)?.code;

/** The issuer's signing keys, as a jose key resolver ({@link KeySource.getKey}). */
export class KeySource {
  readonly #options: KeySourceOptions;
  readonly #retryDelay: number;
  readonly #remotes = new Map<string, RemoteJWKSet>();
  #discovering: Promise<string> | undefined;
  #failure: { at: number; error: KeysUnavailableError } | undefined;
  #stale: { jwks: JSONWebKeySet; resolve: ReturnType<typeof createLocalJWKSet> } | undefined;

  constructor(options: KeySourceOptions) {
    this.#options = options;
    this.#retryDelay = options.retryDelay ?? 1_000;
  }

  /** Resolves the key for a token's protected header; pass it to jose's `jwtVerify`. */
  readonly getKey = async (header: JWSHeaderParameters, token: FlattenedJWSInput): Promise<CryptoKey> => {
    const failure = this.#failure;
    if (failure !== undefined && Date.now() - failure.at < this.#retryDelay) {
      return this.#cached(header, token, failure.error);
    }
    let remote: RemoteJWKSet;
    try {
      remote = this.#remote(await this.#jwksUri());
    } catch (error) {
      return this.#cached(header, token, this.#failed(error, 'discovery'));
    }
    try {
      const key = await remote(header, token);
      this.#failure = undefined;
      return key;
    } catch (error) {
      if (tokenErrors.has(code(error) as string)) throw error;
      return this.#cached(header, token, this.#failed(error, 'keys'));
    }
  };

  async #jwksUri(): Promise<string> {
    const { jwksUrl, discoveryUrl } = this.#options;
    if (jwksUrl !== undefined) return jwksUrl;
    const known = this.#options.cache.jwksUri;
    if (known !== undefined) return known;
    this.#discovering ??= this.#discover(discoveryUrl ?? '').finally(() => {
      this.#discovering = undefined;
    });
    return this.#discovering;
  }

  async #discover(url: string): Promise<string> {
    const response = await this.#options.fetch(url, {
      headers: new Headers({ accept: 'application/json' }),
      signal: AbortSignal.timeout(this.#options.timeout),
      redirect: 'manual',
    });
    if (response.status !== 200) {
      await response.body?.cancel();
      throw new Error(`it answered ${response.status}`);
    }
    const document = (await response.json().catch(() => undefined)) as Record<string, unknown> | undefined;
    if (typeof document !== 'object' || document === null || Array.isArray(document)) {
      throw new Error('it is not a JSON object');
    }
    if (document.issuer !== this.#options.issuer) {
      throw new Error(
        `it names the issuer ${JSON.stringify(document.issuer)}, expected ${JSON.stringify(this.#options.issuer)}`,
      );
    }
    const jwksUri = document.jwks_uri;
    if (typeof jwksUri !== 'string' || !/^https?:\/\//i.test(jwksUri) || !URL.canParse(jwksUri)) {
      throw new Error('it has no http(s) jwks_uri');
    }
    this.#options.cache.jwksUri = jwksUri;
    return jwksUri;
  }

  #remote(uri: string): RemoteJWKSet {
    let remote = this.#remotes.get(uri);
    if (remote === undefined) {
      remote = createRemoteJWKSet(new URL(uri), {
        timeoutDuration: this.#options.timeout,
        cooldownDuration: this.#options.cooldown,
        cacheMaxAge: this.#options.cacheMaxAge,
        [customFetch]: this.#options.fetch as FetchImplementation,
        // jose fills it on each fetch and starts from it when it is still fresh (after a reload).
        [jwksCache]: this.#options.cache.jwks as JWKSCacheInput,
      });
      this.#remotes.set(uri, remote);
    }
    return remote;
  }

  #failed(error: unknown, step: 'discovery' | 'keys'): KeysUnavailableError {
    const where =
      step === 'discovery'
        ? `the discovery document ${this.#options.discoveryUrl}`
        : `the key set ${this.#options.jwksUrl ?? this.#options.cache.jwksUri}`;
    const reason = error instanceof Error ? error.message : String(error);
    const wrapped = new KeysUnavailableError(`cannot get ${where}: ${reason}`, { cause: error });
    // A key set that cannot be had may have moved: discover it again next time.
    if (this.#options.jwksUrl === undefined) this.#options.cache.jwksUri = undefined;
    this.#failure = { at: Date.now(), error: wrapped };
    this.#options.onError(wrapped);
    return wrapped;
  }

  /** Resolves with the keys fetched before, if any; else the failure stands. */
  async #cached(
    header: JWSHeaderParameters,
    token: FlattenedJWSInput,
    error: KeysUnavailableError,
  ): Promise<CryptoKey> {
    const jwks = this.#options.cache.jwks.jwks;
    if (jwks === undefined) throw error;
    if (this.#stale?.jwks !== jwks) this.#stale = { jwks, resolve: createLocalJWKSet(jwks) };
    return this.#stale.resolve(header, token);
  }
}
