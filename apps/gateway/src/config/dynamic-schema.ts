/**
 * The dynamic configuration's resources (Traefik's `http.routers`, `http.services`, `http.middlewares`,
 * `http.serversTransports`), validated one resource at a time: a bad resource is disabled on its own and the
 * rest of the configuration keeps working. Durations are in milliseconds.
 */

import { compileRe2 } from '../rules/re2.ts';
import { type ContentTypeConfig, contentTypeSchema } from './content-type-schema.ts';
import { type CachedForwardAuthConfig, cachedForwardAuthSchema } from './forward-auth-cache-schema.ts';
import { type JwtConfig, jwtSchema } from './jwt-schema.ts';
import { type PassTlsClientCertConfig, passTlsClientCertSchema } from './pass-tls-client-cert-schema.ts';
import { findKey, isRawMap } from './raw.ts';
import {
  boolean,
  duration,
  httpUrl as httpUrlSchema,
  type Infer,
  Issues,
  integer,
  list,
  object,
  oneOf,
  record,
  refine,
  required,
  type Schema,
  string,
  withDefault,
} from './schema.ts';
import { type ServersTransportConfig, serversTransportSchema } from './servers-transport-schema.ts';
import {
  failoverSchema,
  mirroringSchema,
  passiveHealthCheckSchema,
  serverHealthCheckSchema,
  stickySchema,
  weightedSchema,
} from './services-schema.ts';

const notYet = 'not supported by this gateway yet';

const httpUrl = httpUrlSchema();

// Go's RE2 syntax, as the middlewares compile it (see rules/re2.ts).
const regexp = refine(string({ nonEmpty: true }), (value) => {
  try {
    compileRe2(value);
    return undefined;
  } catch (error) {
    return `invalid regular expression: ${(error as Error).message}`;
  }
});

// Go's RE2 syntax, possibly empty (an empty pattern matches everywhere, as in Go); `trim` as Traefik trims
// the patterns of replacePathRegex and stripPrefixRegex before compiling them.
const re2Pattern = (options: { trim: boolean }) =>
  refine(string(), (value) => {
    try {
      compileRe2(options.trim ? value.trim() : value);
      return undefined;
    } catch (error) {
      return `invalid regular expression: ${(error as Error).message}`;
    }
  });

const routerSchema = object(
  {
    rule: required(string({ nonEmpty: true })),
    service: required(string({ nonEmpty: true })),
    entryPoints: list(string({ nonEmpty: true })),
    middlewares: withDefault(list(string({ nonEmpty: true })), []),
    priority: withDefault(integer(), 0),
    // Traefik falls back to v3 for an unknown value; `build.ts` does that.
    ruleSyntax: string(),
    // `accessLogs: false` leaves the router's requests out of the access log (Traefik v3.1+; default true).
    observability: object(
      { accessLogs: boolean() },
      {
        ignored: {
          metrics: 'per-router metrics switches are not supported by this gateway yet, ignored',
          tracing: 'tracing is not supported by this gateway, ignored',
          traceVerbosity: 'tracing is not supported by this gateway, ignored',
        },
      },
    ),
    // Present (even empty): the router serves HTTPS requests only, on the TLS entrypoints it lists.
    tls: object(
      // `tls.options` names options of the dynamic `tls.options` section (tls/options.ts); default `default`.
      { options: string({ nonEmpty: true }) },
      {
        ignored: {
          certResolver: 'ACME certificate resolvers are not supported, ignored',
          domains: 'TLS domains are not supported yet, ignored',
        },
      },
    ),
  },
  {
    unsupported: { parentRefs: notYet },
  },
);

const loadBalancerSchema = object({
  servers: withDefault(
    list(
      object({
        url: required(httpUrlSchema({ h2c: true })),
        weight: integer({ min: 0 }),
        preservePath: boolean(),
      }),
    ),
    [],
  ),
  passHostHeader: withDefault(boolean(), true),
  serversTransport: string({ nonEmpty: true }),
  strategy: oneOf(['wrr', 'p2c', 'hrw', 'leasttime']),
  responseForwarding: object({ flushInterval: duration() }),
  healthCheck: serverHealthCheckSchema,
  passiveHealthCheck: passiveHealthCheckSchema,
  sticky: stickySchema,
});

const serviceSchema = object({
  loadBalancer: loadBalancerSchema,
  weighted: weightedSchema,
  mirroring: mirroringSchema,
  failover: failoverSchema,
});

const forwardAuthSchema = object({
  address: required(httpUrl),
  trustForwardHeader: boolean(),
  authResponseHeaders: withDefault(list(string({ nonEmpty: true })), []),
  authResponseHeadersRegex: regexp,
  authRequestHeaders: withDefault(list(string({ nonEmpty: true })), []),
  addAuthCookiesToResponse: withDefault(list(string({ nonEmpty: true })), []),
  headerField: string({ nonEmpty: true }),
  preserveLocationHeader: withDefault(boolean(), false),
  preserveRequestMethod: withDefault(boolean(), false),
  maxResponseBodySize: integer(),
  forwardBody: withDefault(boolean(), false),
  maxBodySize: withDefault(integer({ min: -1 }), -1),
  authSigninURL: httpUrl,
  // Extension (traefik/traefik#9857): Traefik's timeout is a fixed 30 s.
  timeout: withDefault(duration({ min: 1 }), 30_000),
  // Traefik's ClientTLS towards an https:// auth server: ca, cert and key are file paths or PEM content.
  tls: object(
    {
      ca: string({ nonEmpty: true }),
      cert: string({ nonEmpty: true }),
      key: string({ nonEmpty: true }),
      insecureSkipVerify: withDefault(boolean(), false),
    },
    {
      ignored: { caOptional: 'deprecated in Traefik v3 (client authentication is a server option), ignored' },
    },
  ),
});

const basicAuthSchema = object({
  users: withDefault(list(string({ nonEmpty: true })), []),
  usersFile: string({ nonEmpty: true }),
  realm: withDefault(string(), 'traefik'),
  removeHeader: withDefault(boolean(), false),
  headerField: string({ nonEmpty: true }),
});

const stripPrefixSchema = object({
  prefixes: required(list(string())),
  forceSlash: boolean(),
});

const headersSchema = object(
  {
    customRequestHeaders: record(string()),
    customResponseHeaders: record(string()),
    accessControlAllowCredentials: boolean(),
    accessControlAllowHeaders: list(string()),
    accessControlAllowMethods: list(string()),
    accessControlAllowOriginList: list(string()),
    accessControlAllowOriginListRegex: list(re2Pattern({ trim: false })),
    accessControlExposeHeaders: list(string()),
    accessControlMaxAge: integer(),
    addVaryHeader: boolean(),
    allowedHosts: list(string()),
    hostsProxyHeaders: list(string()),
    sslProxyHeaders: record(string()),
    frameDeny: boolean(),
    customFrameOptionsValue: string(),
    contentTypeNosniff: boolean(),
    browserXssFilter: boolean(),
    customBrowserXSSValue: string(),
    contentSecurityPolicy: string(),
    contentSecurityPolicyReportOnly: string(),
    publicKey: string(),
    referrerPolicy: string(),
    permissionsPolicy: string(),
    stsSeconds: integer({ min: 0 }),
    stsIncludeSubdomains: boolean(),
    stsPreload: boolean(),
    forceSTSHeader: boolean(),
    isDevelopment: boolean(),
  },
  {
    ignored: Object.fromEntries(
      ['sslRedirect', 'sslTemporaryRedirect', 'sslHost', 'sslForceHost', 'featurePolicy'].map((k) => [
        k,
        'deprecated and without effect in Traefik v3, ignored',
      ]),
    ),
  },
);

const chainSchema = object({ middlewares: required(list(string({ nonEmpty: true }))) });

const redirectSchemeSchema = object({
  scheme: required(string({ nonEmpty: true })),
  port: string(),
  permanent: withDefault(boolean(), false),
});

// How Traefik picks the client address (ipAllowList, rateLimit, inFlightReq): see middlewares/client-ip.ts.
const ipStrategySchema = object({
  depth: integer({ min: 0 }),
  excludedIPs: list(string()),
  ipv6Subnet: integer(),
});

const sourceCriterionSchema = object({
  ipStrategy: ipStrategySchema,
  requestHeaderName: string(),
  requestHost: boolean(),
});

const ipAllowListSchema = object({
  sourceRange: withDefault(list(string()), []),
  ipStrategy: ipStrategySchema,
  rejectStatusCode: withDefault(integer(), 0),
});

const ipWhiteListSchema = object({
  sourceRange: withDefault(list(string()), []),
  ipStrategy: ipStrategySchema,
});

const inFlightReqSchema = object({
  amount: withDefault(integer({ min: 0 }), 0),
  sourceCriterion: sourceCriterionSchema,
});

const rateLimitSchema = object(
  {
    average: withDefault(integer(), 0),
    period: withDefault(duration(), 1000),
    burst: withDefault(integer(), 1),
    sourceCriterion: sourceCriterionSchema,
  },
  {
    unsupported: {
      redis: `a Redis-backed rateLimit is ${notYet} (buckets are kept in memory, per gateway)`,
    },
  },
);

const compressSchema = object({
  excludedContentTypes: withDefault(list(string()), []),
  includedContentTypes: withDefault(list(string()), []),
  minResponseBodyBytes: withDefault(integer({ min: 0 }), 0),
  encodings: withDefault(list(string()), ['gzip', 'br', 'zstd']),
  defaultEncoding: withDefault(string(), ''),
});

const bufferingSchema = object({
  maxRequestBodyBytes: withDefault(integer({ min: 0 }), 0),
  memRequestBodyBytes: withDefault(integer({ min: 0 }), 1048576),
  maxResponseBodyBytes: withDefault(integer({ min: 0 }), 0),
  memResponseBodyBytes: withDefault(integer({ min: 0 }), 1048576),
  retryExpression: withDefault(string(), ''),
});

const retrySchema = object({
  attempts: withDefault(integer(), 0),
  initialInterval: withDefault(duration({ min: 0 }), 0),
  timeout: withDefault(duration({ min: 0 }), 0),
  maxRequestBodyBytes: withDefault(integer(), 2 * 1024 * 1024),
  status: withDefault(list(string()), []),
  disableRetryOnNetworkError: withDefault(boolean(), false),
  retryNonIdempotentMethod: withDefault(boolean(), false),
});

const circuitBreakerSchema = object({
  expression: withDefault(string(), ''),
  checkPeriod: withDefault(duration({ min: 0 }), 100),
  fallbackDuration: withDefault(duration({ min: 0 }), 10_000),
  recoveryDuration: withDefault(duration({ min: 0 }), 10_000),
  responseCode: withDefault(integer({ min: 100, max: 999 }), 503),
});

const errorsSchema = object({
  status: withDefault(list(string()), []),
  statusRewrites: record(integer({ min: 100, max: 999 })),
  service: required(string({ nonEmpty: true })),
  query: string(),
  errorRequestHeaders: list(string({ nonEmpty: true })),
});

const addPrefixSchema = object({ prefix: required(string({ nonEmpty: true })) });

const replacePathSchema = object({ path: withDefault(string(), '') });

const replacePathRegexSchema = object({
  regex: withDefault(re2Pattern({ trim: true }), ''),
  replacement: withDefault(string(), ''),
});

const stripPrefixRegexSchema = object({ regex: withDefault(list(re2Pattern({ trim: true })), []) });

const redirectRegexSchema = object({
  regex: withDefault(re2Pattern({ trim: false }), ''),
  replacement: withDefault(string(), ''),
  permanent: withDefault(boolean(), false),
});

/** `http.routers.<name>`. */
export type RouterConfig = Infer<typeof routerSchema>;
/** `http.services.<name>`. */
export type ServiceConfig = Infer<typeof serviceSchema>;
/** `http.services.<name>.loadBalancer`. */
export type LoadBalancerConfig = Infer<typeof loadBalancerSchema>;
/** `http.serversTransports.<name>`. */
export type { ServersTransportConfig };
/** `forwardAuth` middleware options. */
export type ForwardAuthConfig = Infer<typeof forwardAuthSchema>;
/** `basicAuth` middleware options. */
export type BasicAuthConfig = Infer<typeof basicAuthSchema>;
const grpcWebSchema = object({ allowOrigins: withDefault(list(string({ nonEmpty: true })), []) });
/** `grpcWeb` middleware options. */
export type GrpcWebConfig = Infer<typeof grpcWebSchema>;
/** `digestAuth` middleware options: the same fields as basicAuth (users are `name:realm:HA1`). */
export type DigestAuthConfig = BasicAuthConfig;
/** `stripPrefix` middleware options. */
export type StripPrefixConfig = Infer<typeof stripPrefixSchema>;
/** `headers` middleware options. */
export type HeadersConfig = Infer<typeof headersSchema>;
/** `chain` middleware options. */
export type ChainConfig = Infer<typeof chainSchema>;
/** `redirectScheme` middleware options. */
export type RedirectSchemeConfig = Infer<typeof redirectSchemeSchema>;

/** `addPrefix` middleware options. */
export type AddPrefixConfig = Infer<typeof addPrefixSchema>;
/** `replacePath` middleware options. */
export type ReplacePathConfig = Infer<typeof replacePathSchema>;
/** `replacePathRegex` middleware options. */
export type ReplacePathRegexConfig = Infer<typeof replacePathRegexSchema>;
/** `stripPrefixRegex` middleware options. */
export type StripPrefixRegexConfig = Infer<typeof stripPrefixRegexSchema>;
/** `redirectRegex` middleware options. */
export type RedirectRegexConfig = Infer<typeof redirectRegexSchema>;
/** `ipStrategy` of ipAllowList and of a `sourceCriterion`. */
export type IpStrategyConfig = Infer<typeof ipStrategySchema>;
/** `sourceCriterion` of rateLimit and inFlightReq. */
export type SourceCriterionConfig = Infer<typeof sourceCriterionSchema>;
/** `ipAllowList` (and the deprecated `ipWhiteList`) middleware options. */
export type IpAllowListConfig = Infer<typeof ipAllowListSchema>;
/** `inFlightReq` middleware options. */
export type InFlightReqConfig = Infer<typeof inFlightReqSchema>;
/** `rateLimit` middleware options (period in ms). */
export type RateLimitConfig = Infer<typeof rateLimitSchema>;
/** `compress` middleware options. */
export type CompressConfig = Infer<typeof compressSchema>;
/** `buffering` middleware options. */
export type BufferingConfig = Infer<typeof bufferingSchema>;
/** `retry` middleware options (durations in ms). */
export type RetryConfig = Infer<typeof retrySchema>;
/** `circuitBreaker` middleware options (durations in ms). */
export type CircuitBreakerConfig = Infer<typeof circuitBreakerSchema>;
/** `errors` middleware options. */
export type ErrorsConfig = Infer<typeof errorsSchema>;

export type { ContentTypeConfig } from './content-type-schema.ts';
export type { JwtConfig } from './jwt-schema.ts';
export type { PassTlsClientCertConfig } from './pass-tls-client-cert-schema.ts';

/** A built-in middleware's type and its validated options. */
export type BuiltinMiddlewareConfig =
  | { type: 'forwardAuth'; options: ForwardAuthConfig }
  | { type: 'basicAuth'; options: BasicAuthConfig }
  | { type: 'stripPrefix'; options: StripPrefixConfig }
  | { type: 'headers'; options: HeadersConfig }
  | { type: 'chain'; options: ChainConfig }
  | { type: 'redirectScheme'; options: RedirectSchemeConfig }
  | { type: 'addPrefix'; options: AddPrefixConfig }
  | { type: 'replacePath'; options: ReplacePathConfig }
  | { type: 'replacePathRegex'; options: ReplacePathRegexConfig }
  | { type: 'stripPrefixRegex'; options: StripPrefixRegexConfig }
  | { type: 'redirectRegex'; options: RedirectRegexConfig }
  | { type: 'ipAllowList'; options: IpAllowListConfig }
  | { type: 'ipWhiteList'; options: Infer<typeof ipWhiteListSchema> }
  | { type: 'inFlightReq'; options: InFlightReqConfig }
  | { type: 'rateLimit'; options: RateLimitConfig }
  | { type: 'compress'; options: CompressConfig }
  | { type: 'buffering'; options: BufferingConfig }
  | { type: 'retry'; options: RetryConfig }
  | { type: 'circuitBreaker'; options: CircuitBreakerConfig }
  | { type: 'errors'; options: ErrorsConfig }
  | { type: 'passTLSClientCert'; options: PassTlsClientCertConfig }
  | { type: 'contentType'; options: ContentTypeConfig }
  | { type: 'digestAuth'; options: DigestAuthConfig }
  | { type: 'grpcWeb'; options: GrpcWebConfig };

/**
 * A middleware this gateway has and Traefik has not, written as a plugin (`plugin: { <name>: {...} }`) so the
 * same file still parses under Traefik. Its type is the plugin's name, as Traefik's API reports plugins.
 */
export type PluginMiddlewareConfig =
  | { type: 'jwt'; plugin: true; options: JwtConfig }
  | { type: 'cachedForwardAuth'; plugin: true; options: CachedForwardAuthConfig };

/** A middleware's type and its validated options. */
export type MiddlewareConfig = BuiltinMiddlewareConfig | PluginMiddlewareConfig;

const pluginSchemas: { readonly [T in PluginMiddlewareConfig['type']]: Schema<unknown> } = {
  jwt: jwtSchema,
  cachedForwardAuth: cachedForwardAuthSchema(forwardAuthSchema),
};

const middlewareSchemas: { readonly [T in BuiltinMiddlewareConfig['type']]: Schema<unknown> } = {
  forwardAuth: forwardAuthSchema,
  basicAuth: basicAuthSchema,
  stripPrefix: stripPrefixSchema,
  headers: headersSchema,
  chain: chainSchema,
  redirectScheme: redirectSchemeSchema,
  addPrefix: addPrefixSchema,
  replacePath: replacePathSchema,
  replacePathRegex: replacePathRegexSchema,
  stripPrefixRegex: stripPrefixRegexSchema,
  redirectRegex: redirectRegexSchema,
  ipAllowList: ipAllowListSchema,
  ipWhiteList: ipWhiteListSchema,
  inFlightReq: inFlightReqSchema,
  rateLimit: rateLimitSchema,
  compress: compressSchema,
  buffering: bufferingSchema,
  retry: retrySchema,
  circuitBreaker: circuitBreakerSchema,
  errors: errorsSchema,
  passTLSClientCert: passTlsClientCertSchema,
  contentType: contentTypeSchema,
  digestAuth: basicAuthSchema,
  grpcWeb: grpcWebSchema,
};

// Traefik's other middleware types, so the error says "not supported" rather than "unknown".
const traefikMiddlewares: readonly string[] = [];

/** The outcome of validating one resource: the value, or the errors that disable it. */
export type Validated<T> =
  | { readonly ok: true; readonly value: T; readonly warnings: readonly string[] }
  | { readonly ok: false; readonly errors: readonly string[]; readonly warnings: readonly string[] };

function validate<T>(schema: Schema<T>, raw: unknown, path: string): Validated<T> {
  const issues = new Issues();
  const value = schema.parse(raw, path, issues);
  const warnings = issues.lines('warning');
  if (value === undefined || issues.hasErrors) return { ok: false, errors: issues.lines('error'), warnings };
  return { ok: true, value, warnings };
}

/** Validates one router. */
export function validateRouter(raw: unknown, path: string): Validated<RouterConfig> {
  return validate(routerSchema, raw, path);
}

/** Validates one service; exactly one service type must be given. */
export function validateService(raw: unknown, path: string): Validated<ServiceConfig> {
  const result = validate(serviceSchema, raw, path);
  if (!result.ok) return result;
  const kinds = Object.keys(result.value);
  if (kinds.length !== 1) {
    const error =
      kinds.length === 0
        ? `${path}: a service needs one of loadBalancer, weighted, mirroring or failover`
        : `${path}: a service has exactly one type, got ${kinds.join(', ')}`;
    return { ok: false, errors: [error], warnings: result.warnings };
  }
  return result;
}

/** Validates one servers transport. */
export function validateServersTransport(raw: unknown, path: string): Validated<ServersTransportConfig> {
  return validate(serversTransportSchema, raw, path);
}

/** Validates one middleware: exactly one known type, with valid options. */
export function validateMiddleware(raw: unknown, path: string): Validated<MiddlewareConfig> {
  if (!isRawMap(raw)) return { ok: false, errors: [`${path}: expected a map`], warnings: [] };
  const keys = Object.keys(raw);
  if (keys.length !== 1) {
    return {
      ok: false,
      errors: [`${path}: a middleware needs exactly one type, got ${keys.length} (${keys.join(', ')})`],
      warnings: [],
    };
  }
  const given = keys[0] ?? '';
  if (given.toLowerCase() === 'plugin') return validatePlugin(raw[given], `${path}.plugin`);
  const type = findKey(middlewareSchemas, given) as BuiltinMiddlewareConfig['type'] | undefined;
  if (type === undefined) {
    const known = traefikMiddlewares.find((t) => t.toLowerCase() === given.toLowerCase());
    const message = known
      ? `middleware type "${known}" is not supported by this gateway yet`
      : `unknown middleware type "${given}"`;
    return { ok: false, errors: [`${path}: ${message}`], warnings: [] };
  }
  const result = validate(middlewareSchemas[type], raw[given], `${path}.${type}`);
  if (!result.ok) return result;
  return { ok: true, value: { type, options: result.value } as MiddlewareConfig, warnings: result.warnings };
}

/** Validates `plugin: { <name>: options }`: exactly one plugin, one this gateway implements. */
function validatePlugin(raw: unknown, path: string): Validated<MiddlewareConfig> {
  if (!isRawMap(raw)) return { ok: false, errors: [`${path}: expected a map`], warnings: [] };
  const names = Object.keys(raw);
  if (names.length !== 1) {
    return {
      ok: false,
      errors: [
        `${path}: a plugin middleware needs exactly one plugin, got ${names.length} (${names.join(', ')})`,
      ],
      warnings: [],
    };
  }
  const given = names[0] ?? '';
  const type = findKey(pluginSchemas, given) as PluginMiddlewareConfig['type'] | undefined;
  if (type === undefined) {
    const known = Object.keys(pluginSchemas).join(', ');
    return {
      ok: false,
      errors: [`${path}: unknown plugin "${given}" (this gateway has: ${known})`],
      warnings: [],
    };
  }
  const result = validate(pluginSchemas[type], raw[given], `${path}.${type}`);
  if (!result.ok) return result;
  return {
    ok: true,
    value: { type, plugin: true, options: result.value } as MiddlewareConfig,
    warnings: result.warnings,
  };
}
