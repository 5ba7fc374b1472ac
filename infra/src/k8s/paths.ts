import { fileURLToPath } from 'node:url';

/** `infra/k8s`: the kustomize base, components, overlays and the Traefik Helm values. */
export const K8S_DIR = fileURLToPath(new URL('../../k8s/', import.meta.url));

/** `infra/gateway`: the gateway's static and dynamic configuration, which the IngressRoutes mirror. */
export const GATEWAY_DIR = fileURLToPath(new URL('../../gateway/', import.meta.url));

/** The overlays `kubectl apply -k` is meant for. */
export const OVERLAYS = ['local', 'production'] as const;

/** One of {@link OVERLAYS}. */
export type Overlay = (typeof OVERLAYS)[number];

/** The namespace every app object lives in. */
export const APP_NAMESPACE = 'gateway-pattern';

/** The repository root: `apps/<name>` is the source of image `gateway-pattern/<name>`. */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
