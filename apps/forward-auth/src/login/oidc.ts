import type { FastifyBaseLogger } from 'fastify';
import * as client from 'openid-client';

/** The OpenID provider forward-auth signs browsers in with. */
export interface OidcOptions {
  /** Issuer identifier, exactly as the provider states it; also where browsers are sent to log in. */
  issuer: string;
  /**
   * Where forward-auth itself reaches the provider when the issuer's host does not resolve from here (a container
   * that knows it as `http://identity:4444`). Back-channel requests to the issuer's origin go there instead, with
   * `X-Forwarded-Host`/`-Proto` naming the public origin, so a provider that trusts them keeps answering with
   * public URLs (oidc-provider: `proxy = true`).
   */
  internalUrl: string | null;
  clientId: string;
  /** Sent with HTTP Basic; without one the client authenticates with PKCE only (a public client). */
  clientSecret: string | null;
  /** Seconds a request to the provider may take. Default 10. */
  timeoutSeconds?: number;
  /** After a failed discovery, the next attempt waits this long (ms), so a down provider is not asked per request. Default 2 s. */
  retryAfterMs?: number;
}

/** The provider's discovery failed; `/oauth2/start` answers 503 and a later request tries again. */
export class ProviderUnavailableError extends Error {
  readonly code = 'ERR_PROVIDER_UNAVAILABLE';

  constructor(issuer: string, cause: unknown) {
    super(`OpenID provider ${issuer} is unavailable`, { cause });
    this.name = 'ProviderUnavailableError';
  }
}

/**
 * A fetch that sends requests for `publicOrigin` to `internal` instead, telling the provider the public host
 * through `X-Forwarded-Host` and `-Proto`. Everything else goes out unchanged.
 */
export function backChannelFetch(publicOrigin: string, internal: string): client.CustomFetch {
  const internalOrigin = new URL(internal).origin;
  const target = new URL(publicOrigin);
  return (url, options) => {
    const requested = new URL(url);
    if (requested.origin !== target.origin) return fetch(url, options);
    return fetch(`${internalOrigin}${requested.pathname}${requested.search}`, {
      ...options,
      headers: {
        ...options.headers,
        'x-forwarded-host': target.host,
        'x-forwarded-proto': target.protocol.slice(0, -1),
      },
    });
  };
}

/**
 * openid-client's configuration for the provider, discovered on first use rather than at start: the provider may
 * start after forward-auth, and its absence must not stop the token checks. A failed discovery is retried on a
 * later request; a successful one is kept.
 */
export class OidcClient {
  readonly issuer: string;
  readonly #options: OidcOptions;
  readonly #log: FastifyBaseLogger;
  #configuration: client.Configuration | null = null;
  #inFlight: Promise<client.Configuration> | null = null;
  #lastFailure: { at: number; error: ProviderUnavailableError } | null = null;

  constructor(options: OidcOptions, log: FastifyBaseLogger) {
    this.issuer = options.issuer;
    this.#options = options;
    this.#log = log;
  }

  async #discover(): Promise<client.Configuration> {
    const { issuer, internalUrl, clientId, clientSecret } = this.#options;
    const insecure = new URL(issuer).protocol === 'http:' || internalUrl?.startsWith('http:') === true;
    const options: client.DiscoveryRequestOptions = {
      timeout: this.#options.timeoutSeconds ?? 10,
      // Plain HTTP is for the local profile and containers on a private network only.
      execute: insecure ? [client.allowInsecureRequests] : [],
    };
    if (internalUrl !== null) options[client.customFetch] = backChannelFetch(issuer, internalUrl);
    const auth = clientSecret === null ? client.None() : client.ClientSecretBasic(clientSecret);
    return client.discovery(new URL(issuer), clientId, undefined, auth, options);
  }

  /** The provider's configuration; rejects with {@link ProviderUnavailableError}. */
  async configuration(): Promise<client.Configuration> {
    if (this.#configuration !== null) return this.#configuration;
    const failure = this.#lastFailure;
    if (failure !== null && Date.now() - failure.at < (this.#options.retryAfterMs ?? 2_000))
      throw failure.error;
    this.#inFlight ??= this.#discover().then(
      (configuration) => {
        this.#configuration = configuration;
        this.#lastFailure = null;
        this.#inFlight = null;
        this.#log.info({ issuer: this.issuer }, 'OpenID provider discovered');
        return configuration;
      },
      (err: unknown) => {
        const error = new ProviderUnavailableError(this.issuer, err);
        this.#lastFailure = { at: Date.now(), error };
        this.#inFlight = null;
        this.#log.warn(
          { err, issuer: this.issuer },
          'OpenID provider discovery failed; will retry on a later request',
        );
        throw error;
      },
    );
    return this.#inFlight;
  }

  /** Starts discovery in the background, so the first login does not wait for it; a failure is only logged. */
  warmUp(): void {
    // A provider that starts after forward-auth (npm start, compose) is normal: a failed start-up attempt must not
    // hold back the first real request for retryAfterMs, so it leaves no cooldown behind.
    this.configuration().catch(() => {
      this.#lastFailure = null;
    });
  }
}
