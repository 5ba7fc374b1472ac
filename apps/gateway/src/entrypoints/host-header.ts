/**
 * The Host checks Go's server makes before any handler runs, and so Traefik's entrypoints: at most one Host
 * header (RFC 9112 §3.2: a request with more is answered 400), holding only what a name, an IP literal and a
 * port can (Go's `httpguts.ValidHostHeader`). Two Hosts, or one such as `evil.example/x` or `user@host`, could
 * be read one way by a Host rule here and another way by a backend or a cache behind it.
 */

const validHost = /^[0-9A-Za-z!$%&'()*+,\-.:;=[\]_~]*$/;

/** True when the request's Host header lines (lower-case `host` of the header map) are acceptable. */
export function acceptableHost(values: readonly string[] | undefined): boolean {
  // No Host at all: Node's parser already refuses that for HTTP/1.1; HTTP/1.0 may omit it.
  if (values === undefined || values.length === 0) return true;
  return values.length === 1 && validHost.test(values[0] as string);
}
