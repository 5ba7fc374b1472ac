import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { type KubeObject, parseManifests } from './objects.ts';
import { K8S_DIR } from './paths.ts';

/** Components (and the replacements the production overlay uses) need kustomize 5. */
const MIN_KUSTOMIZE_MAJOR = 5;

/**
 * Why the manifests cannot be rendered on this machine, or `null` when `kubectl kustomize` can. kubectl is not an
 * npm package; tests that need it skip with this reason instead of failing.
 */
export function kustomizeUnavailable(): string | null {
  let output: string;
  try {
    output = execFileSync('kubectl', ['version', '--client', '-o', 'json'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
  } catch {
    return 'kubectl not found: the Kubernetes manifests are not rendered (needs kubectl with kustomize 5)';
  }
  const version = (JSON.parse(output) as { kustomizeVersion?: string }).kustomizeVersion ?? '';
  const major = Number(/^v(\d+)\./.exec(version)?.[1] ?? 0);
  if (major < MIN_KUSTOMIZE_MAJOR) {
    return `kubectl's kustomize is ${version || 'unknown'}; the manifests need kustomize ${MIN_KUSTOMIZE_MAJOR}`;
  }
  return null;
}

/** `kubectl kustomize <dir>` (relative to infra/k8s unless absolute), parsed. Throws with kustomize's message. */
export function renderKustomization(dir: string): KubeObject[] {
  const path = dir.startsWith('/') ? dir : join(K8S_DIR, dir);
  try {
    return parseManifests(
      execFileSync('kubectl', ['kustomize', path], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }),
    );
  } catch (err) {
    const stderr = (err as { stderr?: string }).stderr;
    throw new Error(`kubectl kustomize ${path} failed: ${stderr?.trim() || String(err)}`);
  }
}
