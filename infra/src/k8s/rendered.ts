import type { KubeObject } from './objects.ts';
import type { Overlay } from './paths.ts';
import { kustomizeUnavailable, renderKustomization } from './render.ts';

/** Set when `kubectl kustomize` cannot run here: the reason to give as the `skip` option of a suite. */
export const SKIP_WITHOUT_KUBECTL: string | false = kustomizeUnavailable() ?? false;

const cache = new Map<string, KubeObject[]>();

/** The objects of an overlay (or any kustomization under infra/k8s), rendered once per test process. */
export function rendered(dir: Overlay | `base` | `components/${string}`): KubeObject[] {
  const path = dir === 'local' || dir === 'production' ? `overlays/${dir}` : dir;
  let objects = cache.get(path);
  if (objects === undefined) {
    objects = renderKustomization(path);
    cache.set(path, objects);
  }
  return objects;
}
