/** Small helpers for header maps with lower-case names. */

/** Request headers: lower-case name → one entry per header line (Node's `headersDistinct`), mutable. */
export type HeaderMap = Record<string, string[]>;

/** Go's canonical form of a header name (`x-auth-user` → `X-Auth-User`), which Traefik's regexes see. */
export function canonicalHeaderName(name: string): string {
  return name
    .toLowerCase()
    .replace(/(^|-)([a-z])/g, (_all, dash: string, c: string) => dash + c.toUpperCase());
}

/** The first value of a header, or undefined. */
export function firstValue(headers: HeaderMap, name: string): string | undefined {
  return headers[name]?.[0];
}

/** A copy of a header map whose lists are copies too; a `__proto__` header stays an own entry of the copy. */
export function copyHeaderMap(headers: Readonly<Record<string, readonly string[]>>): HeaderMap {
  const copy: HeaderMap = {};
  for (const [name, values] of Object.entries(headers)) {
    Object.defineProperty(copy, name, {
      value: [...values],
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return copy;
}
