/**
 * `gateway_forwardauth_decisions_total{middleware, decision}`: what each forwardAuth middleware decided
 * (`allowed`, `denied`, `error` when the auth server failed). Traefik has no such metric; the dashboard's live
 * view samples it, and Prometheus scrapes it with the rest.
 */

import { Counter, type Registry } from 'prom-client';

/** The outcomes a forwardAuth middleware counts, one counter each. */
export interface AuthDecisionCounters {
  readonly allowed: { inc(): void };
  readonly denied: { inc(): void };
  readonly error: { inc(): void };
}

/** The metric name, for readers of the registry. */
export const AUTH_DECISIONS_METRIC = 'gateway_forwardauth_decisions_total';

/** Registers the counter on `registry`; the result gives a middleware its counters, resolved once per build. */
export function authDecisionMetrics(registry: Registry): (middleware: string) => AuthDecisionCounters {
  const counter = new Counter({
    name: AUTH_DECISIONS_METRIC,
    help: 'forwardAuth decisions, by middleware and decision (allowed, denied, error).',
    labelNames: ['middleware', 'decision'] as const,
    registers: [registry],
  });
  // Children are resolved here, not per request: inc() on a child skips hashing the labels.
  return (middleware) => ({
    allowed: counter.labels({ middleware, decision: 'allowed' }),
    denied: counter.labels({ middleware, decision: 'denied' }),
    error: counter.labels({ middleware, decision: 'error' }),
  });
}
