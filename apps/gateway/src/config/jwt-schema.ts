/**
 * Options of the `jwt` middleware, this gateway's counterpart of API Management's `validate-jwt` policy.
 * Traefik has no such middleware, so it is written in the plugin shape (`plugin: { jwt: { ... } }`), which
 * Traefik's file provider parses. Everything is checked here, at load time: a token never meets a config
 * that could accept `alg: none` or an HMAC secret guessed from a public key.
 */

import {
  boolean,
  duration,
  httpUrl as httpUrlSchema,
  type Infer,
  list,
  object,
  record,
  refine,
  required,
  string,
  withDefault,
} from './schema.ts';

const httpUrl = httpUrlSchema();

/** Asymmetric JWS algorithms: the keys come from a public JWKS, so nothing else can be verified safely. */
export const jwtAlgorithms: readonly string[] = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
  'Ed25519',
];

const algorithm = refine(string({ nonEmpty: true }), (value) => {
  if (jwtAlgorithms.includes(value)) return undefined;
  if (value.toLowerCase() === 'none') return '"none" is never accepted: tokens must be signed';
  if (/^hs\d+$/i.test(value)) {
    return `${value} is refused: an HMAC secret cannot come from a public key set (and would make the public key a secret)`;
  }
  return `unknown algorithm "${value}" (expected one of ${jwtAlgorithms.join(', ')})`;
});

const claimRule = refine(
  object({ anyOf: list(string({ nonEmpty: true })), allOf: list(string({ nonEmpty: true })) }),
  (rule) => {
    const given = [rule.anyOf, rule.allOf].filter((values) => values !== undefined);
    if (given.length !== 1) return 'give exactly one of anyOf or allOf';
    return given[0]?.length === 0 ? 'needs at least one value' : undefined;
  },
);

// RFC 9110 token characters: anything else cannot be a header name.
const headerName = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
// Headers the proxy or the HTTP framing own: a claim must not set them.
const reservedHeaders = new Set([
  'authorization',
  'connection',
  'content-length',
  'host',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

const claimHeaders = refine(record(string({ nonEmpty: true })), (headers) => {
  const seen = new Set<string>();
  for (const name of Object.keys(headers)) {
    const lower = name.toLowerCase();
    if (!headerName.test(name)) return `"${name}" is not a valid header name`;
    if (reservedHeaders.has(lower)) return `"${name}" cannot be set from a claim`;
    if (seen.has(lower)) return `"${name}" is given twice (header names are case-insensitive)`;
    seen.add(lower);
  }
  return undefined;
});

const audiences = refine(list(string({ nonEmpty: true })), (values) =>
  values.length === 0 ? 'needs at least one audience' : undefined,
);

const realm = refine(string({ nonEmpty: true }), (value) =>
  /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/.test(value)
    ? undefined
    : 'may only hold printable ASCII characters other than " and \\',
);

const shape = {
  /** Expected `iss`, compared byte for byte. */
  issuer: required(string({ nonEmpty: true })),
  /** OpenID discovery document; default `<issuer>/.well-known/openid-configuration`. */
  discoveryUrl: httpUrl,
  /** JWKS location, instead of discovery (an internal URL is fine: the issuer stays pinned). */
  jwksUrl: httpUrl,
  algorithms: withDefault(list(algorithm), ['RS256']),
  /** The token's `aud` must hold at least one of these. */
  audiences: required(audiences),
  /** Claim → values the claim must hold (an array claim, or a space-separated string such as `scope`). */
  requiredClaims: withDefault(record(claimRule), {}),
  /** Leeway for `exp` and `nbf`. */
  clockTolerance: withDefault(duration({ min: 0 }), 0),
  /** Request header → claim whose value it carries to the backend. */
  claimHeaders: withDefault(claimHeaders, {}),
  /** Whether the backend still gets the `Authorization` header. */
  forwardAuthorization: withDefault(boolean(), true),
  /** Expected `typ` header of the token (`at+jwt` for RFC 9068 access tokens); unchecked when absent. */
  typ: string({ nonEmpty: true }),
  /** `realm` of the `WWW-Authenticate` challenge; none when absent. */
  realm,
  /** Longest wait for the discovery document or the key set. */
  jwksTimeout: withDefault(duration({ min: 1 }), 5_000),
  /** Shortest time between two key-set fetches caused by an unknown `kid`. */
  cooldown: withDefault(duration({ min: 0 }), 30_000),
  /** How long a fetched key set is used before it is fetched again. */
  cacheMaxAge: withDefault(duration({ min: 1 }), 600_000),
};

/** The `jwt` plugin's options, validated; durations in milliseconds. */
export const jwtSchema = refine(object(shape), (options) => {
  if (options.discoveryUrl !== undefined && options.jwksUrl !== undefined) {
    return 'give discoveryUrl or jwksUrl, not both';
  }
  if (options.issuer !== undefined && options.discoveryUrl === undefined && options.jwksUrl === undefined) {
    try {
      const url = new URL(options.issuer);
      if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error();
    } catch {
      return `issuer "${options.issuer}" is not an http(s) URL, so give discoveryUrl or jwksUrl`;
    }
  }
  return undefined;
});

/** `plugin.jwt` middleware options. */
export type JwtConfig = Infer<typeof jwtSchema>;
