/**
 * The parts of Traefik's `http.services` beyond a plain server list: active and passive health checks, the
 * sticky cookie, and the `weighted`, `mirroring` and `failover` service kinds. Defaults are Traefik v3's
 * (`pkg/config/dynamic/http_config.go`); durations are in milliseconds.
 */

import {
  boolean,
  duration,
  type Infer,
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

/** `healthCheck` of a `loadBalancer` (Traefik's ServerHealthCheck). `0` means "unset" for status and port. */
export const serverHealthCheckSchema = object({
  // Traefik builds the check URL by resolving `path` against the server URL; an absolute URL is refused.
  path: withDefault(
    refine(string(), (value) =>
      /^[a-z][a-z0-9+.-]*:/i.test(value) || value.startsWith('//')
        ? `must be a relative URL, got "${value}"`
        : undefined,
    ),
    '',
  ),
  scheme: oneOf(['http', 'https', 'h2c']),
  mode: withDefault(oneOf(['http', 'grpc']), 'http'),
  hostname: string({ nonEmpty: true }),
  port: withDefault(integer({ min: 0, max: 65535 }), 0),
  method: withDefault(string({ nonEmpty: true }), 'GET'),
  // 0: any status from 200 to 399 is healthy.
  status: withDefault(integer({ min: 0, max: 999 }), 0),
  // Traefik replaces an interval or timeout of 0 by its default; so does the health checker.
  interval: withDefault(duration({ min: 0 }), 30_000),
  unhealthyInterval: duration({ min: 0 }),
  timeout: withDefault(duration({ min: 0 }), 5_000),
  followRedirects: withDefault(boolean(), true),
  headers: withDefault(record(string()), {}),
});

/** `passiveHealthCheck` of a `loadBalancer` (Traefik v3.4+). */
export const passiveHealthCheckSchema = object({
  failureWindow: withDefault(duration({ min: 1 }), 10_000),
  maxFailedAttempts: withDefault(integer({ min: 1 }), 1),
});

/** `sticky` of a `loadBalancer` or a `weighted` service. */
export const stickySchema = object({
  cookie: object({
    name: string(),
    secure: withDefault(boolean(), false),
    httpOnly: withDefault(boolean(), false),
    sameSite: withDefault(string(), ''),
    maxAge: withDefault(integer(), 0),
    path: withDefault(string(), '/'),
    domain: withDefault(string(), ''),
    // Seconds from when the configuration is loaded.
    expires: withDefault(integer({ min: 0 }), 0),
  }),
});

// `healthCheck: {}` on a composite service: propagate the children's status to the parents.
const statusPropagation = object({});

/** A `weighted` service: traffic split between services by weight. */
export const weightedSchema = object({
  services: required(
    list(object({ name: required(string({ nonEmpty: true })), weight: withDefault(integer({ min: 0 }), 1) })),
  ),
  sticky: stickySchema,
  healthCheck: statusPropagation,
});

/** A `mirroring` service: the main service answers, the mirrors get copies. */
export const mirroringSchema = object({
  service: required(string({ nonEmpty: true })),
  mirrorBody: withDefault(boolean(), true),
  maxBodySize: withDefault(integer({ min: -1 }), -1),
  mirrors: withDefault(
    list(
      object({
        name: required(string({ nonEmpty: true })),
        percent: withDefault(integer({ min: 0, max: 100 }), 0),
      }),
    ),
    [],
  ),
  healthCheck: statusPropagation,
});

/** A `failover` service: the fallback serves while the main service is down. */
export const failoverSchema = object({
  service: required(string({ nonEmpty: true })),
  fallback: required(string({ nonEmpty: true })),
  healthCheck: statusPropagation,
  // Traefik v3.7: an answer from `service` in `status` is dropped and the request replayed to `fallback`.
  errors: object({
    status: withDefault(list(string({ nonEmpty: true })), []),
    // -1: no limit.
    maxRequestBodyBytes: withDefault(integer(), -1),
  }),
});

/** A loadBalancer's `healthCheck`. */
export type ServerHealthCheckConfig = Infer<typeof serverHealthCheckSchema>;
/** A loadBalancer's `passiveHealthCheck`. */
export type PassiveHealthCheckConfig = Infer<typeof passiveHealthCheckSchema>;
/** `sticky` of a loadBalancer or weighted service. */
export type StickyConfig = Infer<typeof stickySchema>;
/** A `weighted` service. */
export type WeightedConfig = Infer<typeof weightedSchema>;
/** A `mirroring` service. */
export type MirroringConfig = Infer<typeof mirroringSchema>;
/** A `failover` service. */
export type FailoverConfig = Infer<typeof failoverSchema>;
