/**
 * The static configuration: Traefik v3's install configuration (entryPoints, providers, api, ping, metrics,
 * accessLog, log), validated into a typed object with defaults applied. Reading it from a file, flags and the
 * environment is `static-sources.ts`; this module only says what a valid configuration is.
 */

import { isIP } from 'node:net';
import { StaticConfigError } from '../errors.ts';
import { parseStatusRange } from '../observability/access-log-filters.ts';
import { parseAddress } from './address.ts';
import { forwardAuthCacheSchema } from './forward-auth-cache-schema.ts';
import {
  boolean,
  duration,
  type Infer,
  Issues,
  integer,
  list,
  object,
  oneOf,
  record,
  refine,
  required,
  string,
  withDefault,
} from './schema.ts';
import { maxIdleConnsPerHostSchema, rootCAsSchema } from './servers-transport-schema.ts';

const notImplemented = 'not supported by this gateway yet, ignored';

/** Traefik's strategies for request headers whose names alias others (`http.*HeadersStrategy`). */
const headerStrategies = ['keep', 'delete', 'reject'] as const;

function checkIpOrCidr(value: string): string | undefined {
  const [ip = '', bits, extra] = value.split('/');
  const family = isIP(ip);
  const max = family === 6 ? 128 : 32;
  const validBits = bits === undefined || (/^\d+$/.test(bits) && Number(bits) <= max);
  return family !== 0 && validBits && extra === undefined
    ? undefined
    : `expected an IP or a CIDR, got "${value}"`;
}

const forwardingTimeoutsSchema = object(
  {
    dialTimeout: withDefault(duration({ min: 0 }), 30_000),
    responseHeaderTimeout: withDefault(duration({ min: 0 }), 0),
    idleConnTimeout: withDefault(duration({ min: 0 }), 90_000),
  },
  {
    ignored: {
      readIdleTimeout: 'HTTP/2 ping health checks are not supported, ignored',
      pingTimeout: 'HTTP/2 ping health checks are not supported, ignored',
    },
  },
);

// `http.redirections.entryPoint`; Traefik's default priority is Go's MaxInt - 1, here the largest safe integer - 1.
const redirectEntryPointSchema = object({
  to: required(string({ nonEmpty: true })),
  scheme: withDefault(string({ nonEmpty: true }), 'https'),
  permanent: withDefault(boolean(), true),
  priority: withDefault(integer({ min: 1 }), Number.MAX_SAFE_INTEGER - 1),
});

const entryPointSchema = object(
  {
    address: required(
      refine(string({ nonEmpty: true }), (value) => {
        const parsed = parseAddress(value);
        return typeof parsed === 'string' ? parsed : undefined;
      }),
    ),
    asDefault: boolean(),
    // HTTP/2 on HTTPS entrypoints (entrypoints/secure-server.ts); Traefik's default is 250.
    http2: object(
      { maxConcurrentStreams: integer({ min: 1 }) },
      {
        ignored: {
          maxDecoderHeaderTableSize: notImplemented,
          maxEncoderHeaderTableSize: notImplemented,
        },
      },
    ),
    forwardedHeaders: object({
      insecure: boolean(),
      trustedIPs: list(refine(string({ nonEmpty: true }), checkIpOrCidr)),
    }),
    transport: object(
      {
        lifeCycle: object({
          requestAcceptGraceTimeout: duration({ min: 0 }),
          graceTimeOut: withDefault(duration({ min: 0 }), 10_000),
        }),
        respondingTimeouts: object({
          readTimeout: duration({ min: 0 }),
          writeTimeout: duration({ min: 0 }),
          idleTimeout: duration({ min: 0 }),
        }),
      },
      { ignored: { keepAliveMaxRequests: notImplemented, keepAliveMaxTime: notImplemented } },
    ),
    http: object({
      sanitizePath: boolean(),
      // Traefik v3.7.12+: every name with a character but a letter, digit or dash.
      aliasHeadersStrategy: oneOf(headerStrategies),
      // Traefik v3.7.6+ (deprecated by the one above): names with an underscore.
      underscoreHeadersStrategy: oneOf(headerStrategies),
      // Present (even empty): the entrypoint serves HTTPS, and every router on it is a TLS router.
      tls: object(
        // `options`: the TLS options of the entrypoint's routers that have no `tls` (tls/routers-tls.ts).
        { options: string({ nonEmpty: true }) },
        {
          ignored: {
            certResolver: 'ACME certificate resolvers are not supported, ignored',
            domains: 'TLS domains are not supported yet, ignored',
          },
        },
      ),
      encodedCharacters: object({
        allowEncodedSlash: boolean(),
        allowEncodedBackSlash: boolean(),
        allowEncodedNullCharacter: boolean(),
        allowEncodedSemicolon: boolean(),
        allowEncodedPercent: boolean(),
        allowEncodedQuestionMark: boolean(),
        allowEncodedHash: boolean(),
      }),
      // Built as Traefik's internal provider does (runtime/entrypoint-http.ts).
      redirections: object({ entryPoint: redirectEntryPointSchema }),
      middlewares: list(string({ nonEmpty: true })),
    }),
  },
  {
    ignored: {
      http3: notImplemented,
      proxyProtocol: notImplemented,
      udp: notImplemented,
      reusePort: notImplemented,
      observability: notImplemented,
      allowACMEByPass: notImplemented,
    },
  },
);

const fileProviderSchema = object({
  directory: string({ nonEmpty: true }),
  filename: string({ nonEmpty: true }),
  watch: withDefault(boolean(), true),
  debugLogGeneratedTemplate: boolean(),
});

const providersSchema = object(
  {
    providersThrottleDuration: withDefault(duration({ min: 0 }), 2000),
    file: fileProviderSchema,
  },
  { unknownKeys: 'warning' },
);

// observability/access-log*.ts say what each option does.
const accessLogSchema = object(
  {
    filePath: string(),
    format: withDefault(oneOf(['common', 'genericCLF', 'json']), 'common'),
    bufferingSize: integer({ min: 0 }),
    addInternals: boolean(),
    // Only means something alongside otlp, which is refused: the lines always go to filePath or stdout.
    dualOutput: boolean(),
    filters: object({
      statusCodes: list(
        refine(string({ nonEmpty: true }), (text) => {
          const range = parseStatusRange(text);
          return typeof range === 'string' ? range : undefined;
        }),
      ),
      retryAttempts: boolean(),
      minDuration: duration({ min: 0 }),
    }),
    fields: object({
      // Traefik redacts headers only: a field is kept or dropped.
      defaultMode: oneOf(['keep', 'drop']),
      names: record(oneOf(['keep', 'drop'])),
      headers: object({
        defaultMode: oneOf(['keep', 'drop', 'redact']),
        names: record(oneOf(['keep', 'drop', 'redact'])),
      }),
      queryParameters: object({ defaultMode: oneOf(['keep', 'drop']) }),
    }),
  },
  { unsupported: { otlp: 'sending the access log over OpenTelemetry is not supported by this gateway' } },
);

const staticSchema = object(
  {
    entryPoints: record(entryPointSchema),
    providers: withDefault(providersSchema, { providersThrottleDuration: 2000 }),
    api: object({
      insecure: withDefault(boolean(), false),
      // Ours (static extensions file or GATEWAY_ADMIN_PUBLIC): let the insecure API listen beyond loopback.
      allowPublicAddress: withDefault(boolean(), false),
      dashboard: withDefault(boolean(), true),
      debug: boolean(),
      basePath: string(),
      disableDashboardAd: boolean(),
    }),
    ping: object({
      entryPoint: withDefault(string({ nonEmpty: true }), 'traefik'),
      manualRouting: boolean(),
      terminatingStatusCode: integer({ min: 100, max: 599 }),
    }),
    metrics: object(
      {
        prometheus: object(
          {
            entryPoint: withDefault(string({ nonEmpty: true }), 'traefik'),
            buckets: list(refine(string(), (v) => (Number.isFinite(Number(v)) ? undefined : 'not a number'))),
            addEntryPointsLabels: boolean(),
            addRoutersLabels: boolean(),
            addServicesLabels: boolean(),
            manualRouting: boolean(),
          },
          { unknownKeys: 'warning' },
        ),
      },
      { unknownKeys: 'warning' },
    ),
    accessLog: accessLogSchema,
    // Ours (static extensions file, --workers or GATEWAY_WORKERS): processes serving the entrypoints, as nginx's
    // worker_processes (cluster/primary.ts).
    workers: withDefault(integer({ min: 1, max: 64 }), 1),
    // Ours (static extensions file): every forwardAuth middleware reuses its decisions as cachedForwardAuth does
    // with these options; Traefik never reads the file, so the dynamic files stay plain forwardAuth.
    forwardAuthCache: forwardAuthCacheSchema,
    log: object({
      level: oneOf(['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL', 'PANIC']),
      format: oneOf(['common', 'json']),
      filePath: string(),
      noColor: boolean(),
    }),
    core: object({ defaultRuleSyntax: oneOf(['v2', 'v3']) }),
    // Traefik's default@internal transport (services/transports.ts).
    serversTransport: object(
      {
        forwardingTimeouts: forwardingTimeoutsSchema,
        insecureSkipVerify: boolean(),
        rootCAs: rootCAsSchema,
        maxIdleConnsPerHost: maxIdleConnsPerHostSchema,
      },
      { unsupported: { spiffe: 'SPIFFE is not supported by this gateway' } },
    ),
  },
  {
    unknownKeys: 'warning',
    ignored: {
      global: 'ignored',
      certificatesResolvers: notImplemented,
      tracing: notImplemented,
      experimental: notImplemented,
      hostResolver: notImplemented,
      tcpServersTransport: notImplemented,
      spiffe: notImplemented,
      ocsp: notImplemented,
      hub: notImplemented,
    },
  },
);

/** One entrypoint of the static configuration. */
export type EntryPointConfig = Infer<typeof entryPointSchema>;
/** `providers.file`. */
export type FileProviderConfig = Infer<typeof fileProviderSchema>;
/** `accessLog`. */
export type AccessLogConfig = Infer<typeof accessLogSchema>;
/** `serversTransport.forwardingTimeouts` (and the dynamic serversTransports' one), in milliseconds. */
export type ForwardingTimeouts = Infer<typeof forwardingTimeoutsSchema>;

/** A validated static configuration with defaults applied. Durations are in milliseconds. */
export type StaticConfig = Omit<Infer<typeof staticSchema>, 'entryPoints'> & {
  entryPoints: Record<string, EntryPointConfig>;
};

/** The result of {@link parseStaticConfig}: the config and the warnings to log. */
export interface ParsedStaticConfig {
  readonly config: StaticConfig;
  readonly warnings: readonly string[];
}

/** Name of the entrypoint Traefik creates for its own API, ping and metrics. */
export const adminEntryPoint = 'traefik';

/**
 * Validates a raw static configuration (file, flags and environment already merged).
 * Throws {@link StaticConfigError} listing every problem, each with its path.
 */
export function parseStaticConfig(raw: unknown): ParsedStaticConfig {
  const issues = new Issues();
  const parsed = staticSchema.parse(raw ?? {}, '', issues);
  if (parsed !== undefined) checkConsistency(parsed, issues);
  if (parsed === undefined || issues.hasErrors) throw new StaticConfigError(issues.lines('error'));
  const entryPoints = { ...(parsed.entryPoints ?? {}) };
  // Traefik's defaults: an `http` entrypoint on :80 when none is declared, and a `traefik` one on :8080 for
  // the API, ping and metrics when they are enabled and it is not declared.
  if (Object.keys(entryPoints).length === 0) entryPoints.http = defaultEntryPoint(':80');
  const wantsAdmin =
    parsed.api?.insecure === true ||
    parsed.ping?.entryPoint === adminEntryPoint ||
    parsed.metrics?.prometheus;
  if (wantsAdmin && !(adminEntryPoint in entryPoints))
    entryPoints[adminEntryPoint] = defaultEntryPoint(':8080');
  confineInsecureApi(entryPoints, parsed.api, issues);
  return { config: { ...parsed, entryPoints }, warnings: issues.lines('warning') };
}

/**
 * `api.insecure` serves the API, unauthenticated, on the `traefik` entrypoint, and the API shows the whole
 * dynamic configuration as rendered (environment values included). Traefik then listens wherever that entrypoint
 * says, `:8080` (every interface) by default; here a non-loopback address is moved to loopback, same port,
 * with a warning, unless `api.allowPublicAddress` (the static extensions file, or GATEWAY_ADMIN_PUBLIC=true)
 * says the exposure is meant (a container publishing the port, behind its own access control).
 */
function confineInsecureApi(
  entryPoints: Record<string, EntryPointConfig>,
  api: Infer<typeof staticSchema>['api'],
  issues: Issues,
): void {
  const entryPoint = entryPoints[adminEntryPoint];
  if (api?.insecure !== true || api.allowPublicAddress || entryPoint === undefined) return;
  const address = parseAddress(entryPoint.address);
  if (typeof address === 'string' || isLoopback(address.host)) return;
  const confined = isIP(address.host ?? '') === 6 ? `[::1]:${address.port}` : `127.0.0.1:${address.port}`;
  entryPoints[adminEntryPoint] = { ...entryPoint, address: confined };
  issues.warn(
    `entryPoints.${adminEntryPoint}.address`,
    `serves the unauthenticated API (api.insecure), so it is listening on ${confined} instead of ` +
      `"${entryPoint.address}" (this host only); to listen there, set GATEWAY_ADMIN_PUBLIC=true or ` +
      'api.allowPublicAddress: true in the static extensions file, and protect the port yourself',
  );
}

/** `localhost`, 127.0.0.0/8, `::1` and IPv4-mapped loopback; undefined (every interface) is not. */
function isLoopback(host: string | undefined): boolean {
  if (host === undefined) return false;
  const lower = host.toLowerCase();
  if (lower === 'localhost' || lower === '::1') return true;
  const v4 = lower.startsWith('::ffff:') ? lower.slice(7) : lower;
  return isIP(v4) === 4 && v4.startsWith('127.');
}

function defaultEntryPoint(address: string): EntryPointConfig {
  return entryPointSchema.parse({ address }, '', new Issues()) as EntryPointConfig;
}

function checkConsistency(config: Infer<typeof staticSchema>, issues: Issues): void {
  const file = config.providers.file;
  if (file) {
    if (file.directory !== undefined && file.filename !== undefined) {
      issues.error('providers.file', 'directory and filename are mutually exclusive');
    } else if (file.directory === undefined && file.filename === undefined) {
      issues.error('providers.file', 'one of directory or filename is required');
    }
  }
  const entryPoints = config.entryPoints ?? {};
  const declared = Object.keys(entryPoints);
  for (const [field, name] of [
    ['ping.entryPoint', config.ping?.entryPoint],
    ['metrics.prometheus.entryPoint', config.metrics?.prometheus?.entryPoint],
  ] as const) {
    if (name !== undefined && name !== adminEntryPoint && declared.length > 0 && !declared.includes(name)) {
      issues.error(field, `entrypoint "${name}" is not declared in entryPoints`);
    }
  }
  for (const [name, entryPoint] of Object.entries(entryPoints)) {
    const to = entryPoint.http?.redirections?.entryPoint?.to;
    if (to !== undefined && !/^:\d+$/.test(to) && !declared.includes(to)) {
      issues.error(
        `entryPoints.${name}.http.redirections.entryPoint.to`,
        `references a non-existing entry point "${to}" (an entrypoint name or a port like ":443")`,
      );
    }
  }
  for (const [name, entryPoint] of Object.entries(entryPoints)) {
    const http = entryPoint.http;
    if (http?.underscoreHeadersStrategy === undefined || http.underscoreHeadersStrategy === 'keep') continue;
    if (http.aliasHeadersStrategy !== undefined) continue;
    issues.warn(
      `entryPoints.${name}.http.underscoreHeadersStrategy`,
      'covers X_Auth_User-style names only; aliasHeadersStrategy (Traefik v3.7.12+; for this gateway also ' +
        'GATEWAY_ALIAS_HEADERS_STRATEGY=delete) also covers X.Auth.User and the other look-alikes',
    );
  }
}
