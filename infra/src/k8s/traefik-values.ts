import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { parse } from 'yaml';
import { K8S_DIR } from './paths.ts';

/** The Helm chart release the values are written for; its keys moved in chart 39 and 41. */
export const TRAEFIK_CHART_VERSION = '41.3.0';

/** The values files, applied in this order for production (`-f values.yaml -f values-production.yaml`). */
export const VALUES_FILES = ['values.yaml', 'values-production.yaml'] as const;

type Schema = Record<string, unknown>;

const closed = (properties: Record<string, Schema>): Schema => ({
  type: 'object',
  properties,
  additionalProperties: false,
});
const string: Schema = { type: 'string' };
const boolean: Schema = { type: 'boolean' };
const integer: Schema = { type: 'integer', minimum: 0 };
const quantities = closed({ cpu: { type: ['string', 'number'] }, memory: string });
const headerModes: Schema = { type: 'object', additionalProperties: { enum: ['keep', 'drop', 'redact'] } };
const entryPointHttp = closed({
  underscoreHeadersStrategy: { enum: ['keep', 'delete', 'reject'] },
  redirections: closed({
    entryPoint: closed({ to: string, scheme: { enum: ['http', 'https'] }, permanent: boolean }),
  }),
  tls: closed({ enabled: boolean, certResolver: string, options: string }),
});

/**
 * An allow-list of the chart keys these values use, with their types and enums as chart 41.3.0's
 * `values.schema.json` and `values.yaml` define them. Closed at every level (the chart's own schema is closed only at
 * the top and in some sections), so a misspelt or moved key fails here even where the chart would ignore it.
 * Using a new key means adding it here, after checking it in the chart.
 */
export const ALLOWED_VALUES_SCHEMA: Schema = closed({
  deployment: closed({
    replicas: integer,
    podAnnotations: { type: 'object', additionalProperties: string },
  }),
  ingressClass: closed({ enabled: boolean }),
  providers: closed({
    kubernetesCRD: closed({ enabled: boolean, allowCrossNamespace: boolean }),
    kubernetesIngress: closed({ enabled: boolean }),
  }),
  ingressRoute: closed({ dashboard: closed({ enabled: boolean }) }),
  ports: closed({
    web: closed({ http: entryPointHttp }),
    websecure: closed({ http: entryPointHttp }),
  }),
  global: closed({ checkNewVersion: boolean, sendAnonymousUsage: boolean }),
  log: closed({ format: { enum: ['common', 'json'] } }),
  accessLog: closed({
    enabled: boolean,
    format: { enum: ['common', 'genericCLF', 'json'] },
    fields: closed({
      defaultMode: { enum: ['keep', 'drop', 'redact'] },
      headers: closed({ defaultMode: { enum: ['keep', 'drop', 'redact'] }, names: headerModes }),
    }),
  }),
  resources: closed({ requests: quantities, limits: quantities }),
  // Rendered by the chart into --certificatesresolvers.<name>.<path>=<value> flags; empty maps are dropped.
  certificatesResolvers: {
    type: 'object',
    additionalProperties: closed({
      acme: closed({
        email: { type: 'string', format: 'email' },
        storage: string,
        tlsChallenge: { const: true },
        caServer: string,
      }),
    }),
  },
  persistence: closed({ enabled: boolean, size: string }),
  podSecurityContext: closed({
    fsGroup: integer,
    fsGroupChangePolicy: { enum: ['OnRootMismatch', 'Always'] },
  }),
  service: closed({ spec: closed({ externalTrafficPolicy: { enum: ['Cluster', 'Local'] } }) }),
});

/** Reads one values file of infra/k8s/traefik. */
export function loadValues(file: (typeof VALUES_FILES)[number]): Record<string, unknown> {
  return parse(readFileSync(join(K8S_DIR, 'traefik', file), 'utf8')) as Record<string, unknown>;
}

/** Helm's merge of values: maps merge key by key, anything else is replaced. */
export function mergeValues(base: unknown, override: unknown): unknown {
  const isMap = (v: unknown): v is Record<string, unknown> =>
    typeof v === 'object' && v !== null && !Array.isArray(v);
  if (!isMap(base) || !isMap(override)) return override === undefined ? base : override;
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(override)) merged[key] = mergeValues(base[key], value);
  return merged;
}

/** Validates with ajv (draft 2020-12, as the chart's schema); returns readable errors, empty when valid. */
export function valuesProblems(schema: Schema, values: unknown): string[] {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  ajv.addFormat('email', /^[^@\s]+@[^@\s]+$/);
  const validate = ajv.compile(schema);
  if (validate(values)) return [];
  return (validate.errors ?? []).map(
    (e) => `${e.instancePath || '/'} ${e.message ?? 'is invalid'} ${JSON.stringify(e.params)}`,
  );
}
