import { IngressRoute } from '@kubernetes-models/traefik/traefik.io/v1alpha1/IngressRoute';
import { Middleware } from '@kubernetes-models/traefik/traefik.io/v1alpha1/Middleware';
import { TLSOption } from '@kubernetes-models/traefik/traefik.io/v1alpha1/TLSOption';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import { Job } from 'kubernetes-models/batch/v1/Job';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Namespace } from 'kubernetes-models/v1/Namespace';
import { Secret } from 'kubernetes-models/v1/Secret';
import { Service } from 'kubernetes-models/v1/Service';
import { ServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import { type KubeObject, objectId } from './objects.ts';
import { validateTracked } from './unread-fields.ts';

interface ModelClass {
  apiVersion: string;
  kind: string;
  prototype: { validate(): void };
}

/** Every kind the manifests may contain, with its schema: kubernetes-models (Kubernetes 1.36), Traefik v3.7. */
const MODELS: readonly ModelClass[] = [
  Namespace,
  ServiceAccount,
  ConfigMap,
  Secret,
  Service,
  Deployment,
  Job,
  PodDisruptionBudget,
  HorizontalPodAutoscaler,
  NetworkPolicy,
  IngressRoute,
  Middleware,
  TLSOption,
];

/**
 * Fields Traefik v3's CRDs still accept but mark "Deprecated" (they are leftovers of v2 and do nothing useful):
 * `traefik/crds/traefik.io_middlewares.yaml` of the Helm chart 41.3.0. The schema accepts them, so they are listed.
 */
const DEPRECATED_TRAEFIK_FIELDS = new Set([
  'caOptional',
  'featurePolicy',
  'sslForceHost',
  'sslHost',
  'sslRedirect',
  'sslTemporaryRedirect',
  'ipWhiteList',
  'forceSlash',
]);

function deprecatedFields(value: unknown, path: string, found: string[]): string[] {
  if (Array.isArray(value)) {
    value.forEach((item, index) => {
      deprecatedFields(item, `${path}/${index}`, found);
    });
  } else if (value !== null && typeof value === 'object') {
    for (const [key, child] of Object.entries(value)) {
      if (DEPRECATED_TRAEFIK_FIELDS.has(key)) found.push(`${path}/${key}`);
      deprecatedFields(child, `${path}/${key}`, found);
    }
  }
  return found;
}

/**
 * kustomize folds long base64 values of Secret `data` over several lines; the API server's decoder (Go's base64)
 * skips line breaks, the models' `byte` format does not. Validate what the API server reads.
 */
function asApiServerReadsIt(object: KubeObject): KubeObject {
  if (object.kind !== 'Secret' || typeof object.data !== 'object' || object.data === null) return object;
  const data = Object.fromEntries(
    Object.entries(object.data).map(([key, value]) => [
      key,
      typeof value === 'string' ? value.replace(/[\r\n]/g, '') : value,
    ]),
  );
  return { ...object, data };
}

/**
 * Everything wrong with one object against its kind's schema: type, enum and required errors, fields the schema
 * does not know (which the models alone would accept), deprecated Traefik fields, or a kind without a schema.
 * An empty list means valid.
 */
export function schemaProblems(object: KubeObject): string[] {
  const model = MODELS.find((m) => m.apiVersion === object.apiVersion && m.kind === object.kind);
  const id = objectId(object);
  if (model === undefined) return [`${id}: no schema for ${object.apiVersion} ${object.kind}`];
  const { error, unread } = validateTracked(model.prototype.validate, asApiServerReadsIt(object));
  const problems = unread.map((path) => `${id}: unknown field ${path}`);
  if (error !== null) problems.unshift(`${id}: ${error}`);
  if (object.apiVersion.startsWith('traefik.io/')) {
    for (const path of deprecatedFields(object.spec, '/spec', []))
      problems.push(`${id}: deprecated field ${path}`);
  }
  return problems;
}
