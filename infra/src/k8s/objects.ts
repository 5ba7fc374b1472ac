import { parseAllDocuments } from 'yaml';

/** What every Kubernetes object has; the rest is checked against its kind's schema (see strict-schema.ts). */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  [field: string]: unknown;
}

/** A multi-document YAML stream that is not a list of Kubernetes objects. */
export class ManifestParseError extends Error {
  readonly code = 'ERR_MANIFEST_PARSE';
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Parses `kubectl kustomize` output; throws {@link ManifestParseError} on YAML errors or a nameless object. */
export function parseManifests(text: string): KubeObject[] {
  const objects: KubeObject[] = [];
  for (const [index, doc] of parseAllDocuments(text).entries()) {
    if (doc.errors.length > 0)
      throw new ManifestParseError(`document ${index + 1}: ${doc.errors[0]?.message}`);
    const value: unknown = doc.toJS();
    if (value === null) continue;
    if (
      !isRecord(value) ||
      typeof value.apiVersion !== 'string' ||
      typeof value.kind !== 'string' ||
      !isRecord(value.metadata) ||
      typeof value.metadata.name !== 'string'
    ) {
      throw new ManifestParseError(`document ${index + 1} is not a Kubernetes object with a name`);
    }
    objects.push(value as KubeObject);
  }
  return objects;
}

/** `Kind/name`, the way kubectl names an object in messages. */
export function objectId(object: KubeObject): string {
  return `${object.kind}/${object.metadata.name}`;
}

/** The objects of one kind, typed as that kind's model interface (call after schema validation). */
export function ofKind<T>(objects: readonly KubeObject[], kind: string): T[] {
  return objects.filter((o) => o.kind === kind) as unknown as T[];
}

/** The one object of that kind and name; throws when it is missing, so a test fails with the name. */
export function getObject<T = KubeObject>(objects: readonly KubeObject[], kind: string, name: string): T {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (found === undefined) throw new Error(`${kind}/${name} is not in the rendered manifests`);
  return found as unknown as T;
}
