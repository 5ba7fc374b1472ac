import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import type { IJob } from 'kubernetes-models/batch/v1/Job';
import type { IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { IPodSpec } from 'kubernetes-models/v1/PodSpec';
import { getObject, type KubeObject, ofKind } from './objects.ts';

/** A workload's pod template, as the checks need it. */
export interface PodTemplate {
  /** `Deployment/name` or `Job/name`. */
  owner: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  spec: IPodSpec;
}

/** The pod templates of every Deployment and Job. */
export function podTemplates(objects: readonly KubeObject[]): PodTemplate[] {
  const workloads = [
    ...ofKind<IDeployment>(objects, 'Deployment').map((d) => ({ kind: 'Deployment', w: d })),
    ...ofKind<IJob>(objects, 'Job').map((j) => ({ kind: 'Job', w: j })),
  ];
  return workloads.map(({ kind, w }) => {
    const template = w.spec?.template;
    if (template?.spec === undefined) throw new Error(`${kind}/${w.metadata?.name} has no pod template`);
    return {
      owner: `${kind}/${w.metadata?.name}`,
      labels: template.metadata?.labels ?? {},
      annotations: template.metadata?.annotations ?? {},
      spec: template.spec,
    };
  });
}

/** The environment a container starts with: its ConfigMaps (envFrom) overlaid by its literal `env` values. */
export function containerEnv(objects: readonly KubeObject[], container: IContainer): Record<string, string> {
  const env: Record<string, string> = {};
  for (const source of container.envFrom ?? []) {
    const name = source.configMapRef?.name;
    if (name !== undefined) Object.assign(env, getObject<IConfigMap>(objects, 'ConfigMap', name).data);
  }
  for (const variable of container.env ?? [])
    if (variable.value !== undefined) env[variable.name] = variable.value;
  return env;
}

/** A probe's or Service's port, which may be a number or the name of a container port, as a number. */
export function resolvePort(container: IContainer, port: number | string | undefined): number | undefined {
  if (typeof port === 'number') return port;
  return container.ports?.find((p) => p.name === port)?.containerPort;
}

/** Whether every label of `selector` is on the pod. */
export function selects(
  selector: Record<string, string> | undefined,
  labels: Record<string, string>,
): boolean {
  return Object.entries(selector ?? {}).every(([key, value]) => labels[key] === value);
}
