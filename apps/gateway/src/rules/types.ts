/**
 * What a router rule sees of a request. Built once per request (see `request.ts`), then shared by every
 * router's matcher, so matchers never re-parse the URL or headers.
 */
export interface RoutingRequest {
  /** The method exactly as sent (Traefik's v3 `Method` compares case-sensitively). */
  readonly method: string;
  /** Canonical host: port and `[` `]` removed, lower-cased, trimmed. Empty when the request has none. */
  readonly host: string;
  /** Routing path: sanitised, percent-decoded except for reserved characters (Traefik §1.5). */
  readonly path: string;
  /** Peer IP address without port (never taken from X-Forwarded-For). */
  readonly remoteAddr: string;
  /** Query parameters with Go's `url.ParseQuery` semantics (split on `&` only, `+` is a space). */
  readonly query: ReadonlyMap<string, readonly string[]>;
  /** Every value of a header, one entry per header line; `[]` when absent. Name is case-insensitive. */
  header(name: string): readonly string[];
}

/** A compiled rule: a pure predicate over a routing request. */
export type Matcher = (request: RoutingRequest) => boolean;

/** The two rule syntaxes Traefik v3 understands (`ruleSyntax` on a router). */
export type RuleSyntax = 'v2' | 'v3';
