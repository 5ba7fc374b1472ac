/**
 * Where a browser may be sent back to after login or sign-out: only URLs whose origin is allowed, so that
 * `/oauth2/start?rd=https://evil.example/` cannot turn the login into an open redirect.
 */
export class ReturnUrls {
  readonly #base: URL;
  readonly #origins: ReadonlySet<string>;

  /**
   * @param publicUrl The public base URL (the gateway's origin); relative return addresses resolve against it.
   * @param origins Allowed origins, each `scheme://host[:port]`; the public URL's origin is always allowed.
   */
  constructor(publicUrl: string, origins: readonly string[] = []) {
    this.#base = new URL(publicUrl);
    this.#origins = new Set([this.#base.origin, ...origins.map((origin) => new URL(origin).origin)]);
  }

  /** Where to go when no usable return address was given: the public base URL's root. */
  get fallback(): string {
    return `${this.#base.origin}/`;
  }

  /**
   * The return address as an absolute URL, or `null` when it is missing, not http(s) or of another origin.
   * Resolving before comparing origins catches `//evil.example`, `/\evil.example`, `https:evil.example` and the
   * like, which browsers read as other hosts.
   */
  check(candidate: string | undefined | null): string | null {
    if (candidate === undefined || candidate === null || candidate === '') return null;
    // Control characters are dropped by URL parsers in ways browsers may not share; refuse rather than guess.
    if (/\p{Cc}/u.test(candidate)) return null;
    let url: URL;
    try {
      url = new URL(candidate, this.#base);
    } catch {
      return null;
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
    if (url.username !== '' || url.password !== '') return null;
    return this.#origins.has(url.origin) ? url.href : null;
  }

  /** {@link check}, or the fallback. */
  resolve(candidate: string | undefined | null): string {
    return this.check(candidate) ?? this.fallback;
  }

  /**
   * The URL a forwardAuth request was for, from Traefik's `X-Forwarded-Proto`, `-Host` and `-Uri`, when it is an
   * allowed return address; `null` otherwise.
   */
  forwarded(headers: Readonly<Record<string, string | string[] | undefined>>): string | null {
    const one = (name: string): string | undefined => {
      const value = headers[name];
      return typeof value === 'string' ? value : undefined;
    };
    const proto = one('x-forwarded-proto');
    const host = one('x-forwarded-host');
    const uri = one('x-forwarded-uri') ?? '/';
    if ((proto !== 'http' && proto !== 'https') || host === undefined || !uri.startsWith('/')) return null;
    // A Host with a path, userinfo or port junk would move the origin; rebuild and compare the host exactly.
    let url: URL;
    try {
      url = new URL(`${proto}://${host}/`);
    } catch {
      return null;
    }
    if (url.host !== host.toLowerCase()) return null;
    return this.check(`${url.origin}${uri}`);
  }
}
