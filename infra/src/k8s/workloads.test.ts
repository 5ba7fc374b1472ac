import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import type { IHorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import type { IPodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { IProbe } from 'kubernetes-models/v1/Probe';
import type { IService } from 'kubernetes-models/v1/Service';
import { getObject, ofKind } from './objects.ts';
import { OVERLAYS, REPO_ROOT } from './paths.ts';
import { containerEnv, podTemplates, resolvePort, selects } from './pods.ts';
import { rendered, SKIP_WITHOUT_KUBECTL } from './rendered.ts';

/** The variables each app reads its listening ports from, and the container port name each one must feed. */
const PORT_VARIABLES: Record<string, Record<string, string>> = {
  identity: { PORT: 'http' },
  'forward-auth': { PORT: 'http' },
  'adder-auth': { PORT: 'http' },
  'pybackend-ts': { PORT: 'http' },
  'model-service': { PORT: 'http' },
  adder: { HTTP_PORT: 'http', GRPC_PORT: 'grpc' },
};

/**
 * Deployments that run one replica by design, and why. Everything else runs two at least, so a drain keeps one.
 */
const SINGLE_REPLICA: Record<string, string> = {
  identity:
    'signing keys generated into an emptyDir and sessions in memory: a second replica would sign with other keys',
};

const probesOf = (c: IContainer): [string, IProbe][] =>
  (['startupProbe', 'readinessProbe', 'livenessProbe'] as const).flatMap((kind) => {
    const probe = c[kind];
    return probe === undefined ? [] : [[kind, probe] as [string, IProbe]];
  });

for (const overlay of OVERLAYS) {
  describe(`${overlay}: workloads`, { skip: SKIP_WITHOUT_KUBECTL }, () => {
    test('each app listens on 0.0.0.0 and on the ports its container, probes and Service declare', () => {
      const objects = rendered(overlay);
      const deployments = ofKind<IDeployment>(objects, 'Deployment');
      assert.deepEqual(deployments.map((d) => d.metadata?.name).sort(), Object.keys(PORT_VARIABLES).sort());
      for (const deployment of deployments) {
        const app = deployment.metadata?.name ?? '';
        const [container, ...others] = deployment.spec?.template.spec?.containers ?? [];
        assert.ok(container && others.length === 0, `${app}: one container`);
        const env = containerEnv(objects, container);
        assert.equal(env.HOST, '0.0.0.0', `${app}: HOST`);

        // Every configured port is a container port of the right name, and there is no other.
        const configured = Object.entries(PORT_VARIABLES[app] ?? {}).map(([variable, portName]) => {
          const value = Number(env[variable]);
          assert.ok(Number.isInteger(value) && value > 0, `${app}: ${variable} is set`);
          return { name: portName, containerPort: value };
        });
        assert.deepEqual(
          container.ports?.map((p) => ({ name: p.name, containerPort: p.containerPort })),
          configured,
          `${app}: container ports`,
        );
        const ports = configured.map((p) => p.containerPort);

        // Readiness and liveness at least; each probe on a configured port; gRPC probes on the gRPC port.
        const probes = probesOf(container);
        assert.ok(
          container.readinessProbe && container.livenessProbe,
          `${app}: readiness and liveness probes`,
        );
        for (const [kind, probe] of probes) {
          const port =
            probe.grpc?.port ?? resolvePort(container, probe.httpGet?.port ?? probe.tcpSocket?.port);
          assert.ok(port !== undefined && ports.includes(port), `${app}: ${kind} on a configured port`);
          if (probe.grpc)
            assert.equal(probe.grpc.port, Number(env.GRPC_PORT), `${app}: ${kind} on the gRPC port`);
        }

        // The Service selects these pods and forwards each port to the same container port number.
        const service = getObject<IService>(objects, 'Service', app);
        const labels = deployment.spec?.template.metadata?.labels ?? {};
        assert.ok(selects(service.spec?.selector, labels), `${app}: Service selects the pods`);
        assert.deepEqual(
          service.spec?.ports?.map((p) => [p.port, resolvePort(container, p.targetPort)]),
          ports.map((p) => [p, p]),
          `${app}: Service ports`,
        );
      }
    });

    test('the adder is probed by the kubelet’s native gRPC health check', () => {
      const adder = getObject<IDeployment>(rendered(overlay), 'Deployment', 'adder');
      assert.deepEqual(adder.spec?.template.spec?.containers[0]?.readinessProbe?.grpc, {
        port: 50051,
        service: '',
      });
    });

    test('pybackend-ts reaches model-service through its Service', () => {
      const objects = rendered(overlay);
      const pybackend = getObject<IDeployment>(objects, 'Deployment', 'pybackend-ts');
      const env = containerEnv(objects, pybackend.spec?.template.spec?.containers[0] as IContainer);
      const url = new URL(env.MODEL_SERVICE_URL ?? '');
      const service = getObject<IService>(objects, 'Service', url.hostname);
      assert.ok(service.spec?.ports?.some((p) => p.port === Number(url.port)));
    });

    test('every pod runs our images as a non-root user, read-only, unprivileged, with resources', () => {
      const pods = podTemplates(rendered(overlay));
      assert.ok(pods.length >= 4);
      for (const pod of pods) {
        const podSecurity = pod.spec.securityContext;
        assert.equal(pod.spec.automountServiceAccountToken, false, `${pod.owner}: no API token`);
        assert.equal(podSecurity?.seccompProfile?.type, 'RuntimeDefault', `${pod.owner}: seccomp`);
        for (const container of [...(pod.spec.initContainers ?? []), ...pod.spec.containers]) {
          const where = `${pod.owner} ${container.name}`;
          const app = /^gateway-pattern\/([a-z-]+):/.exec(container.image ?? '')?.[1] ?? '';
          assert.ok(
            existsSync(join(REPO_ROOT, 'apps', app)),
            `${where}: image of an app (${container.image})`,
          );
          const security = container.securityContext;
          const runAsNonRoot: boolean | undefined = security?.runAsNonRoot ?? podSecurity?.runAsNonRoot;
          const runAsUser: number | undefined = security?.runAsUser ?? podSecurity?.runAsUser;
          assert.equal(runAsNonRoot, true, `${where}: runAsNonRoot`);
          // Numeric, so the kubelet can enforce non-root; 1000 is node:24-slim's `node` user.
          assert.equal(runAsUser, 1000, `${where}: runAsUser`);
          assert.equal(security?.allowPrivilegeEscalation, false, `${where}: allowPrivilegeEscalation`);
          assert.equal(security?.readOnlyRootFilesystem, true, `${where}: readOnlyRootFilesystem`);
          assert.deepEqual(security?.capabilities?.drop, ['ALL'], `${where}: capabilities`);
          assert.equal(security?.privileged ?? false, false, `${where}: privileged`);
          const { requests, limits } = container.resources ?? {};
          assert.ok(
            requests?.cpu && requests.memory && limits?.memory,
            `${where}: requests and a memory limit`,
          );
          // A read-only root needs somewhere to write temporary files.
          assert.ok(
            container.volumeMounts?.some((m) => m.mountPath === '/tmp'),
            `${where}: writable /tmp`,
          );
        }
      }
    });

    test('every Deployment has a PodDisruptionBudget that never blocks a drain on its own', () => {
      const objects = rendered(overlay);
      for (const deployment of ofKind<IDeployment>(objects, 'Deployment')) {
        const labels = deployment.spec?.template.metadata?.labels ?? {};
        const budgets = ofKind<IPodDisruptionBudget>(objects, 'PodDisruptionBudget').filter((b) =>
          selects(b.spec?.selector?.matchLabels, labels),
        );
        assert.equal(budgets.length, 1, `${deployment.metadata?.name}: one PDB`);
        assert.deepEqual(budgets[0]?.spec?.maxUnavailable, 1);
      }
    });

    test('model-service scales on CPU through its HPA, which owns its replica count', () => {
      const objects = rendered(overlay);
      const hpas = ofKind<IHorizontalPodAutoscaler>(objects, 'HorizontalPodAutoscaler');
      assert.deepEqual(
        hpas.map((h) => h.spec?.scaleTargetRef),
        [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'model-service' }],
      );
      const [hpa] = hpas;
      assert.equal(hpa?.spec?.metrics?.[0]?.resource?.name, 'cpu');
      assert.ok((hpa?.spec?.minReplicas ?? 0) >= 2, 'two replicas at least, so the PDB lets one go');
      const modelService = getObject<IDeployment>(objects, 'Deployment', 'model-service');
      assert.equal(modelService.spec?.replicas, undefined, 'no replica count to fight the HPA');
      assert.ok(
        modelService.spec?.template.spec?.containers[0]?.resources?.requests?.cpu,
        'CPU request to scale on',
      );
      for (const other of ofKind<IDeployment>(objects, 'Deployment').filter((d) => d !== modelService)) {
        const name = other.metadata?.name ?? '';
        if (SINGLE_REPLICA[name] !== undefined) continue;
        assert.ok((other.spec?.replicas ?? 1) >= 2, `${name}: two replicas, so a drain keeps one`);
      }
    });

    test('identity runs one pod at a time, even during a rollout, and keeps its keys on an emptyDir', () => {
      const objects = rendered(overlay);
      for (const name of Object.keys(SINGLE_REPLICA)) {
        const deployment = getObject<IDeployment>(objects, 'Deployment', name);
        assert.equal(deployment.spec?.replicas, 1, `${name}: one replica`);
        // A rolling update would run two pods, publishing different keys behind one Service.
        assert.equal(deployment.spec?.strategy?.type, 'Recreate', `${name}: strategy`);
      }
      const identity = getObject<IDeployment>(objects, 'Deployment', 'identity');
      const pod = identity.spec?.template.spec;
      const [container] = pod?.containers ?? [];
      assert.ok(container);
      const env = containerEnv(objects, container);
      const keys = container.volumeMounts?.find((m) => m.mountPath === env.KEYS_DIR);
      assert.ok(keys && !keys.readOnly, `KEYS_DIR ${env.KEYS_DIR} is a writable mount`);
      assert.ok(
        pod?.volumes?.find((v) => v.name === keys.name)?.emptyDir,
        'on an emptyDir: keys regenerate with each new pod',
      );
      const directory = container.volumeMounts?.find((m) =>
        env.IDENTITY_CONFIG?.startsWith(`${m.mountPath}/`),
      );
      assert.ok(directory?.readOnly, `IDENTITY_CONFIG ${env.IDENTITY_CONFIG} is on a read-only mount`);
      const source = pod?.volumes?.find((v) => v.name === directory.name)?.secret;
      assert.ok(
        source?.items?.some((i) => `${directory.mountPath}/${i.path}` === env.IDENTITY_CONFIG),
        'from a Secret',
      );
    });
  });
}

describe('the images', () => {
  const dockerfile = join(REPO_ROOT, 'Dockerfile');
  test('run as the numeric non-root user the pods require', {
    skip: existsSync(dockerfile) ? false : 'no Dockerfile at the repository root',
  }, () => {
    const users = [...readFileSync(dockerfile, 'utf8').matchAll(/^USER\s+(\S+)/gm)].map((m) => m[1]);
    assert.ok(users.length > 0, 'the Dockerfile sets USER');
    for (const user of users) assert.equal(user, '1000:1000');
  });
});
