import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { INetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import { ingressAllowed, type PodIdentity } from './network-policy.ts';
import { ofKind } from './objects.ts';
import { APP_NAMESPACE, OVERLAYS } from './paths.ts';
import { podTemplates } from './pods.ts';
import { rendered, SKIP_WITHOUT_KUBECTL } from './rendered.ts';

const LINKERD_INBOUND = 4143;
const LINKERD_ADMIN = 4191;
const LINKERD_TAP = 4190;

/** Who may call whom. Backends trust X-Auth-User, so apart from these, nothing reaches them. */
const ALLOWED: Record<string, Record<number, string[]>> = {
  // Traefik for browsers and clients (production's id.<DOMAIN> route); the back channel of login and JWT checks.
  identity: { 4444: ['traefik', 'forward-auth', 'adder-auth'] },
  // Traefik's forwardAuth calls; the backends that verify its signed identity fetch its keys.
  'forward-auth': { 4181: ['traefik', 'pybackend-ts', 'model-service'] },
  'adder-auth': { 4181: ['traefik'] },
  'pybackend-ts': { 8101: ['traefik'] },
  'model-service': { 8102: ['traefik', 'pybackend-ts'] },
  adder: { 8103: ['traefik'], 50051: ['adder-load'] },
};

const app = (name: string): PodIdentity => ({
  namespace: APP_NAMESPACE,
  labels: { 'app.kubernetes.io/name': name, 'app.kubernetes.io/part-of': 'gateway-pattern' },
});

/** Callers to try, including ones that merely look like Traefik. */
const SOURCES: Record<string, PodIdentity> = {
  traefik: { namespace: 'traefik', labels: { 'app.kubernetes.io/name': 'traefik' } },
  'other pod in traefik': { namespace: 'traefik', labels: { 'app.kubernetes.io/name': 'whoami' } },
  'traefik-labelled pod elsewhere': { namespace: 'default', labels: { 'app.kubernetes.io/name': 'traefik' } },
  'traefik-labelled pod in the app namespace': app('traefik'),
  'linkerd-viz': { namespace: 'linkerd-viz', labels: { component: 'prometheus' } },
  'adder-load': app('adder-load'),
  identity: app('identity'),
  'forward-auth': app('forward-auth'),
  'adder-auth': app('adder-auth'),
  'pybackend-ts': app('pybackend-ts'),
  'model-service': app('model-service'),
  adder: app('adder'),
};

for (const overlay of OVERLAYS) {
  describe(`${overlay}: NetworkPolicies`, { skip: SKIP_WITHOUT_KUBECTL }, () => {
    test('only the gateway (and the callers listed) reach each port; Linkerd’s ports follow', () => {
      const objects = rendered(overlay);
      const policies = ofKind<INetworkPolicy>(objects, 'NetworkPolicy');
      for (const pod of podTemplates(objects).filter((p) => p.owner.startsWith('Deployment/'))) {
        const target: PodIdentity = { namespace: APP_NAMESPACE, labels: pod.labels };
        const name = pod.labels['app.kubernetes.io/name'] ?? '';
        const allowed = ALLOWED[name];
        assert.ok(allowed, `${pod.owner}: expected callers are listed`);
        const appPorts = pod.spec.containers.flatMap((c) => c.ports?.map((p) => p.containerPort) ?? []);
        assert.deepEqual(appPorts.sort(), Object.keys(allowed).map(Number).sort(), `${name}: ports`);
        const meshCallers = [...new Set(Object.values(allowed).flat())];
        const expected: Record<number, string[]> = {
          ...allowed,
          [LINKERD_INBOUND]: meshCallers,
          [LINKERD_ADMIN]: ['linkerd-viz'],
          [LINKERD_TAP]: ['linkerd-viz'],
        };
        for (const [port, callers] of Object.entries(expected)) {
          const admitted = Object.entries(SOURCES)
            .filter(([, source]) => ingressAllowed(policies, target, source, Number(port)))
            .map(([label]) => label);
          assert.deepEqual(admitted.sort(), [...callers].sort(), `${name}:${port}`);
        }
      }
    });

    test('a default deny covers every pod of the namespace, Jobs included', () => {
      const policies = ofKind<INetworkPolicy>(rendered(overlay), 'NetworkPolicy');
      const stranger: PodIdentity = { namespace: 'default', labels: {} };
      for (const pod of podTemplates(rendered(overlay))) {
        const target: PodIdentity = { namespace: APP_NAMESPACE, labels: pod.labels };
        assert.equal(ingressAllowed(policies, target, stranger, 8080), false, pod.owner);
      }
    });
  });
}

describe('ingressAllowed', () => {
  const policy = (spec: INetworkPolicy['spec']): INetworkPolicy => ({
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: 'p', namespace: 'ns' },
    spec,
  });
  const target: PodIdentity = { namespace: 'ns', labels: { app: 'a' } };
  const peer: PodIdentity = { namespace: 'ns', labels: { app: 'b' } };

  test('a pod no policy selects takes anything; a selected one only what a rule admits', () => {
    assert.equal(ingressAllowed([], target, peer, 80), true);
    const deny = policy({ podSelector: {}, policyTypes: ['Ingress'] });
    assert.equal(ingressAllowed([deny], target, peer, 80), false);
    const allow = policy({
      podSelector: { matchLabels: { app: 'a' } },
      ingress: [{ from: [{ podSelector: { matchLabels: { app: 'b' } } }], ports: [{ port: 80 }] }],
    });
    assert.equal(ingressAllowed([deny, allow], target, peer, 80), true);
    assert.equal(ingressAllowed([deny, allow], target, peer, 81), false);
    assert.equal(ingressAllowed([deny, allow], target, { ...peer, namespace: 'other' }, 80), false);
  });

  test('namespace and pod selectors in one peer must both match', () => {
    const both = policy({
      podSelector: {},
      ingress: [
        {
          from: [
            {
              namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'edge' } },
              podSelector: { matchLabels: { app: 'proxy' } },
            },
          ],
        },
      ],
    });
    assert.equal(ingressAllowed([both], target, { namespace: 'edge', labels: { app: 'proxy' } }, 1), true);
    assert.equal(ingressAllowed([both], target, { namespace: 'edge', labels: { app: 'x' } }, 1), false);
    assert.equal(ingressAllowed([both], target, { namespace: 'ns', labels: { app: 'proxy' } }, 1), false);
  });
});
