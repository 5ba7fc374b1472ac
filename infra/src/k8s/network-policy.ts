import type { ILabelSelector } from '@kubernetes-models/apimachinery/apis/meta/v1/LabelSelector';
import type { INetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import type { INetworkPolicyPeer } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicyPeer';
import { selects } from './pods.ts';

/** A pod as NetworkPolicy sees it: its namespace (whose only label we rely on is its name) and its labels. */
export interface PodIdentity {
  namespace: string;
  labels: Record<string, string>;
}

function matches(selector: ILabelSelector | undefined, labels: Record<string, string>): boolean {
  if (selector?.matchExpressions?.length) throw new Error('matchExpressions are not evaluated here');
  return selects(selector?.matchLabels, labels);
}

function peerAdmits(peer: INetworkPolicyPeer, policyNamespace: string, source: PodIdentity): boolean {
  if (peer.ipBlock !== undefined) throw new Error('ipBlock peers are not evaluated here');
  const namespaceOk =
    peer.namespaceSelector === undefined
      ? source.namespace === policyNamespace
      : matches(peer.namespaceSelector, { 'kubernetes.io/metadata.name': source.namespace });
  return namespaceOk && (peer.podSelector === undefined || matches(peer.podSelector, source.labels));
}

/**
 * Whether `source` may open a TCP connection to `port` of `target` under these policies, by the NetworkPolicy
 * rules: a pod no Ingress policy selects takes anything; otherwise some rule of a selecting policy must admit both
 * the peer and the port. Only numeric ports are evaluated (named ones throw), which is all the manifests use.
 */
export function ingressAllowed(
  policies: readonly INetworkPolicy[],
  target: PodIdentity,
  source: PodIdentity,
  port: number,
): boolean {
  const selecting = policies.filter(
    (p) =>
      p.metadata?.namespace === target.namespace &&
      (p.spec?.policyTypes ?? ['Ingress']).includes('Ingress') &&
      matches(p.spec?.podSelector, target.labels),
  );
  if (selecting.length === 0) return true;
  return selecting.some((policy) =>
    (policy.spec?.ingress ?? []).some((rule) => {
      const peerOk =
        rule.from === undefined ||
        rule.from.length === 0 ||
        rule.from.some((peer) => peerAdmits(peer, target.namespace, source));
      const portOk =
        rule.ports === undefined ||
        rule.ports.length === 0 ||
        rule.ports.some((p) => {
          if (typeof p.port === 'string') throw new Error('named ports are not evaluated here');
          return (p.protocol ?? 'TCP') === 'TCP' && (p.port === undefined || p.port === port);
        });
      return peerOk && portOk;
    }),
  );
}
