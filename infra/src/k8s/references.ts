import type { IMiddleware } from '@kubernetes-models/traefik/traefik.io/v1alpha1/Middleware';
import { type KubeObject, ofKind } from './objects.ts';
import { podTemplates } from './pods.ts';

/** A ConfigMap or Secret that some object names. */
export interface Reference {
  kind: 'ConfigMap' | 'Secret';
  name: string;
  /** Who refers to it, for messages. */
  from: string;
  /** Marked `optional: true`: the pod starts without it. */
  optional: boolean;
}

/** Every ConfigMap and Secret the pods (env, envFrom, volumes) and Traefik middlewares refer to by name. */
export function configReferences(objects: readonly KubeObject[]): Reference[] {
  const refs: Reference[] = [];
  const add = (kind: Reference['kind'], name: string | undefined, from: string, optional?: boolean) => {
    if (name !== undefined) refs.push({ kind, name, from, optional: optional ?? false });
  };
  for (const pod of podTemplates(objects)) {
    for (const c of [...(pod.spec.initContainers ?? []), ...pod.spec.containers]) {
      for (const s of c.envFrom ?? []) {
        add('ConfigMap', s.configMapRef?.name, pod.owner, s.configMapRef?.optional);
        add('Secret', s.secretRef?.name, pod.owner, s.secretRef?.optional);
      }
      for (const v of c.env ?? []) {
        const from = v.valueFrom;
        add('ConfigMap', from?.configMapKeyRef?.name, pod.owner, from?.configMapKeyRef?.optional);
        add('Secret', from?.secretKeyRef?.name, pod.owner, from?.secretKeyRef?.optional);
      }
    }
    for (const v of pod.spec.volumes ?? []) {
      add('ConfigMap', v.configMap?.name, pod.owner, v.configMap?.optional);
      add('Secret', v.secret?.secretName, pod.owner, v.secret?.optional);
    }
  }
  for (const m of ofKind<IMiddleware>(objects, 'Middleware')) {
    add('Secret', m.spec.basicAuth?.secret, `Middleware/${m.metadata.name}`);
  }
  return refs;
}

/** The references whose object is not among `objects`. */
export function missingReferences(objects: readonly KubeObject[]): Reference[] {
  const present = new Set(objects.map((o) => `${o.kind}/${o.metadata.name}`));
  return configReferences(objects).filter((r) => !present.has(`${r.kind}/${r.name}`));
}
