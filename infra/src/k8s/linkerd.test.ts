import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { IService } from 'kubernetes-models/v1/Service';
import { getObject, type KubeObject } from './objects.ts';
import { APP_NAMESPACE, OVERLAYS, REPO_ROOT } from './paths.ts';
import { podTemplates } from './pods.ts';
import { rendered, SKIP_WITHOUT_KUBECTL } from './rendered.ts';

/** The Linkerd annotations the manifests may use, with the values Linkerd 2.16+ documents for each. */
const GRPC_RETRY_STATUSES = new Set([
  'cancelled',
  'deadline-exceeded',
  'internal',
  'resource-exhausted',
  'unavailable',
]);
const DURATION = /^\d+(ms|s|m|h)$/;
const LINKERD_ANNOTATIONS: Record<string, (value: string) => boolean> = {
  'linkerd.io/inject': (v) => ['enabled', 'ingress', 'disabled'].includes(v),
  'config.beta.linkerd.io/proxy-enable-native-sidecar': (v) => v === 'true' || v === 'false',
  'retry.linkerd.io/grpc': (v) => v.split(',').every((s) => GRPC_RETRY_STATUSES.has(s)),
  'retry.linkerd.io/http': (v) => v.split(',').every((s) => /^(5xx|gateway-error|\d{3}(-\d{3})?)$/.test(s)),
  'retry.linkerd.io/limit': (v) => /^[1-9]\d*$/.test(v),
  'retry.linkerd.io/timeout': (v) => DURATION.test(v),
  'timeout.linkerd.io/request': (v) => DURATION.test(v),
  'timeout.linkerd.io/response': (v) => DURATION.test(v),
  'timeout.linkerd.io/idle': (v) => DURATION.test(v),
};

for (const overlay of OVERLAYS) {
  describe(`${overlay}: Linkerd`, { skip: SKIP_WITHOUT_KUBECTL }, () => {
    test('the app namespace is injected, and no workload opts out', () => {
      const objects = rendered(overlay);
      const namespace = getObject<KubeObject>(objects, 'Namespace', APP_NAMESPACE);
      assert.equal(namespace.metadata.annotations?.['linkerd.io/inject'], 'enabled');
      for (const pod of podTemplates(objects)) {
        assert.notEqual(pod.annotations['linkerd.io/inject'], 'disabled', pod.owner);
      }
    });

    test('every Linkerd annotation is one Linkerd documents, with a valid value', () => {
      const objects = rendered(overlay);
      const annotated = [
        ...objects.map((o) => ({
          where: `${o.kind}/${o.metadata.name}`,
          annotations: o.metadata.annotations,
        })),
        ...podTemplates(objects).map((p) => ({ where: `${p.owner} pods`, annotations: p.annotations })),
      ];
      for (const { where, annotations } of annotated) {
        for (const [key, value] of Object.entries(annotations ?? {})) {
          if (!key.includes('linkerd.io/')) continue;
          const valid = LINKERD_ANNOTATIONS[key];
          assert.ok(valid, `${where}: unknown Linkerd annotation ${key}`);
          assert.ok(valid(value), `${where}: ${key}=${value}`);
        }
      }
    });

    test('the adder’s gRPC calls are retried, within a per-request limit, and no ServiceProfile silences that', () => {
      const objects = rendered(overlay);
      const annotations = getObject<IService>(objects, 'Service', 'adder').metadata?.annotations ?? {};
      assert.ok(annotations['retry.linkerd.io/grpc']?.includes('unavailable'));
      assert.ok(Number(annotations['retry.linkerd.io/limit']) >= 1);
      assert.ok(annotations['retry.linkerd.io/timeout']);
      // A ServiceProfile for the Service would make Linkerd ignore the retry and timeout annotations.
      assert.deepEqual(
        objects.filter((o) => o.kind === 'ServiceProfile'),
        [],
      );
    });
  });
}

describe('Linkerd and the load generator', { skip: SKIP_WITHOUT_KUBECTL }, () => {
  test('the load generator Job runs the proxy as a native sidecar, so it can complete', () => {
    const job = podTemplates(rendered('local')).find((p) => p.owner === 'Job/adder-load');
    assert.ok(job, 'the local overlay includes the load generator');
    assert.equal(job.annotations['config.beta.linkerd.io/proxy-enable-native-sidecar'], 'true');
    const [container] = job.spec.containers;
    assert.ok(container?.args?.includes('--target=adder:50051'), 'it calls the adder Service');
    // The adder image's working directory is apps/adder (Dockerfile), so the script path is relative to it.
    const [node, script] = container?.command ?? [];
    assert.equal(node, 'node');
    assert.ok(existsSync(join(REPO_ROOT, 'apps/adder', script ?? '')), `apps/adder/${script} exists`);
  });
});
