/**
 * The signed identity (X-Auth-Assertion) in Kubernetes: the backends' IDENTITY_ASSERTION_* against forward-auth's
 * Service, issuer and key, and against the audiences the IngressRoutes' forwardAuth addresses ask for; the one
 * signing key forward-auth's replicas share, from a Secret (a DEMO one in the local overlay only); and the
 * NetworkPolicy that lets the backends fetch the keys.
 */

import assert from 'node:assert/strict';
import { createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { describe, test } from 'node:test';
import type { IIngressRoute } from '@kubernetes-models/traefik/traefik.io/v1alpha1/IngressRoute';
import type { IMiddleware } from '@kubernetes-models/traefik/traefik.io/v1alpha1/Middleware';
import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import type { INetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { ISecret } from 'kubernetes-models/v1/Secret';
import type { IService } from 'kubernetes-models/v1/Service';
import {
  type AssertionWiring,
  type AuthRoute,
  addressAudiences,
  assertionWiringProblems,
  DEFAULT_ASSERTION_ISSUER,
  verifierOf,
  type WiredBackend,
} from '../identity-assertion-wiring.ts';
import { ingressAllowed } from './network-policy.ts';
import { getObject, type KubeObject, ofKind } from './objects.ts';
import { APP_NAMESPACE, K8S_DIR, OVERLAYS, REPO_ROOT } from './paths.ts';
import { containerEnv, selects } from './pods.ts';
import { rendered, SKIP_WITHOUT_KUBECTL } from './rendered.ts';

const DEMO_ANNOTATION = 'gateway-pattern/demo-credentials';
const DEMO_KEY_FILE = join(K8S_DIR, 'overlays', 'local', 'demo', 'assertion-key.pem');

const nameOf = (d: IDeployment) => d.metadata?.name ?? '';
const containerOf = (d: IDeployment) => d.spec?.template.spec?.containers[0] as IContainer;
/** The app a Deployment runs: its image is `gateway-pattern/<app>:<tag>`. */
const appOf = (d: IDeployment) => /^gateway-pattern\/([a-z-]+):/.exec(containerOf(d).image ?? '')?.[1] ?? '';

/**
 * The Deployment behind the Service a URL names (`http://<service>:<port>`, or the Service's longer DNS names in
 * this namespace), when that Service exposes the port and selects one Deployment.
 */
function deploymentAt(objects: readonly KubeObject[], address: string): IDeployment | undefined {
  const url = new URL(address);
  const [name = '', namespace = APP_NAMESPACE, ...rest] = url.hostname.split('.');
  if (namespace !== APP_NAMESPACE || !['', 'svc', 'svc.cluster.local'].includes(rest.join('.')))
    return undefined;
  const service = ofKind<IService>(objects, 'Service').find((s) => s.metadata?.name === name);
  if (!service?.spec?.ports?.some((p) => p.port === Number(url.port))) return undefined;
  const behind = ofKind<IDeployment>(objects, 'Deployment').filter((d) =>
    selects(service.spec?.selector, d.spec?.template.metadata?.labels ?? {}),
  );
  return behind.length === 1 ? behind[0] : undefined;
}

/** Every forward-auth, every Deployment as a backend, and every IngressRoute route with a forwardAuth. */
function wiringOf(objects: readonly KubeObject[]): AssertionWiring {
  const deployments = ofKind<IDeployment>(objects, 'Deployment');
  const envOf = (d: IDeployment) => containerEnv(objects, containerOf(d));
  const signers = Object.fromEntries(
    deployments
      .filter((d) => appOf(d) === 'forward-auth')
      .map((d) => [nameOf(d), { issuer: envOf(d).IDENTITY_ASSERTION_ISSUER ?? DEFAULT_ASSERTION_ISSUER }]),
  );
  const backends: Record<string, WiredBackend> = {};
  for (const d of deployments) {
    const env = envOf(d);
    const verifier = verifierOf(appOf(d), env);
    const keysFrom = verifier === null ? undefined : deploymentAt(objects, verifier.jwksUrl.href);
    const called = Object.values(env)
      .filter((value) => /^https?:\/\//.test(value))
      .flatMap((value) => deploymentAt(objects, value) ?? []);
    const relaysTo = [...new Set(called.map(nameOf))].filter(
      (name) => name !== nameOf(d) && name !== (keysFrom && nameOf(keysFrom)),
    );
    backends[nameOf(d)] = { verifier, keysFrom: keysFrom && nameOf(keysFrom), relaysTo };
  }
  const routes: AuthRoute[] = [];
  for (const route of ofKind<IIngressRoute>(objects, 'IngressRoute')) {
    for (const [index, rule] of route.spec.routes.entries()) {
      for (const target of rule.services ?? []) {
        if ((target.kind ?? 'Service') !== 'Service') continue;
        const service = getObject<IService>(objects, 'Service', target.name);
        const backend = ofKind<IDeployment>(objects, 'Deployment').find((d) =>
          selects(service.spec?.selector, d.spec?.template.metadata?.labels ?? {}),
        );
        for (const { name } of rule.middlewares ?? []) {
          const forwardAuth = getObject<IMiddleware>(objects, 'Middleware', name).spec.forwardAuth;
          if (forwardAuth?.address === undefined) continue;
          const signer = deploymentAt(objects, forwardAuth.address);
          routes.push({
            name: `IngressRoute/${route.metadata.name} route ${index} (Middleware/${name})`,
            backend: backend === undefined ? target.name : nameOf(backend),
            address: forwardAuth.address,
            signer: signer && nameOf(signer),
            copies: forwardAuth.authResponseHeaders ?? [],
          });
        }
      }
    }
  }
  return { signers, backends, routes };
}

/** The Secret and key a forward-auth reads IDENTITY_ASSERTION_KEY_FILE from, through a mounted Secret volume. */
function keySecretOf(objects: readonly KubeObject[], forwardAuth: IDeployment) {
  const where = `Deployment/${nameOf(forwardAuth)}`;
  const file = containerEnv(objects, containerOf(forwardAuth)).IDENTITY_ASSERTION_KEY_FILE;
  assert.ok(file, `${where}: IDENTITY_ASSERTION_KEY_FILE is set (otherwise each pod makes a key of its own)`);
  const mount = containerOf(forwardAuth).volumeMounts?.find((m) => m.mountPath === dirname(file));
  assert.ok(mount, `${where}: a volume is mounted at ${dirname(file)}`);
  const volume = forwardAuth.spec?.template.spec?.volumes?.find((v) => v.name === mount.name);
  assert.ok(volume?.secret?.secretName, `${where}: volume ${mount.name} is a Secret`);
  const item = volume.secret.items?.find((i) => i.path === basename(file));
  const key = volume.secret.items === undefined ? basename(file) : item?.key;
  assert.ok(key, `${where}: the Secret volume holds ${basename(file)}`);
  // Readable by the app's user (the pod's fsGroup), by nobody else.
  assert.equal(forwardAuth.spec?.template.spec?.securityContext?.fsGroup, 1000, `${where}: fsGroup`);
  assert.equal(volume.secret.defaultMode, 0o440, `${where}: the key's file mode`);
  return { name: volume.secret.secretName, key, optional: volume.secret.optional ?? false };
}

/** The forward-auths some route asks for an assertion (a forwardAuth address with `?aud=`). */
function signingForwardAuths(objects: readonly KubeObject[]): IDeployment[] {
  const asked = new Set(
    wiringOf(objects)
      .routes.filter((r) => addressAudiences(r.address).length > 0)
      .map((r) => r.signer),
  );
  return ofKind<IDeployment>(objects, 'Deployment').filter((d) => asked.has(nameOf(d)));
}

for (const overlay of OVERLAYS) {
  describe(`${overlay}: signed identity (X-Auth-Assertion)`, { skip: SKIP_WITHOUT_KUBECTL }, () => {
    test('is on: pybackend-ts and model-service check it against forward-auth, as the routes to them ask', () => {
      const wiring = wiringOf(rendered(overlay));
      const verifying = Object.entries(wiring.backends).filter(([, b]) => b.verifier !== null);
      assert.deepEqual(verifying.map(([name]) => name).sort(), ['model-service', 'pybackend-ts']);
      for (const [name, backend] of verifying) assert.equal(backend.keysFrom, 'forward-auth', name);
      assert.deepEqual(wiring.backends['pybackend-ts']?.relaysTo, ['model-service']);
      assert.deepEqual(assertionWiringProblems(wiring), []);
    });

    test("forward-auth's replicas sign with one key, from a Secret; adder-auth is never asked to sign", () => {
      const objects = rendered(overlay);
      const signing = signingForwardAuths(objects);
      assert.deepEqual(signing.map(nameOf), ['forward-auth']);
      for (const forwardAuth of signing) {
        assert.ok((forwardAuth.spec?.replicas ?? 1) > 1, 'several replicas, hence the shared key');
        const secret = keySecretOf(objects, forwardAuth);
        assert.deepEqual(secret, { name: secret.name, key: 'key.pem', optional: false });
        assert.match(secret.name, /^forward-auth-assertion-key(-[a-z0-9]+)?$/);
      }
    });

    test('the backends that check assertions may fetch the keys through the NetworkPolicies', () => {
      const objects = rendered(overlay);
      const policies = ofKind<INetworkPolicy>(objects, 'NetworkPolicy');
      const pod = (name: string) => ({
        namespace: APP_NAMESPACE,
        labels: getObject<IDeployment>(objects, 'Deployment', name).spec?.template.metadata?.labels ?? {},
      });
      for (const [name, backend] of Object.entries(wiringOf(objects).backends)) {
        if (backend.verifier === null || backend.keysFrom === undefined) continue;
        const service = getObject<IService>(objects, 'Service', backend.verifier.jwksUrl.hostname);
        const port = service.spec?.ports?.find((p) => p.port === Number(backend.verifier?.jwksUrl.port));
        const targetPort = getObject<IDeployment>(
          objects,
          'Deployment',
          backend.keysFrom,
        ).spec?.template.spec?.containers[0]?.ports?.find((p) => p.name === port?.targetPort)?.containerPort;
        assert.ok(targetPort, `${name}: the key set's container port`);
        assert.ok(
          ingressAllowed(policies, pod(backend.keysFrom), pod(name), targetPort),
          `${name} → ${backend.keysFrom}:${targetPort}`,
        );
      }
    });
  });
}

describe('the DEMO assertion key', { skip: SKIP_WITHOUT_KUBECTL }, () => {
  const pem = readFileSync(DEMO_KEY_FILE, 'utf8');
  /** The key itself, the base64 between the PEM lines, as it would appear in any copy. */
  const body = /-----BEGIN PRIVATE KEY-----\n([^-]+)-----END/.exec(pem)?.[1]?.replace(/\s/g, '') ?? '';

  test('local: the mounted Secret is demo/assertion-key.pem, an EC P-256 key, and says it is a demo one', () => {
    assert.match(pem, /^DEMO KEY/, 'the file says what it is');
    const key = createPrivateKey(pem);
    assert.equal(key.asymmetricKeyDetails?.namedCurve, 'prime256v1');
    const objects = rendered('local');
    const [forwardAuth] = signingForwardAuths(objects);
    assert.ok(forwardAuth);
    const { name, key: item } = keySecretOf(objects, forwardAuth);
    const secret = getObject<ISecret>(objects, 'Secret', name);
    assert.equal(secret.metadata?.annotations?.[DEMO_ANNOTATION], 'true');
    assert.equal(Buffer.from(secret.data?.[item] ?? '', 'base64').toString('utf8'), pem);
  });

  test('only the local overlay holds it: not the base, production or compose', () => {
    assert.ok(body.length > 100);
    const elsewhere = {
      base: JSON.stringify(rendered('base')),
      production: JSON.stringify(rendered('production')),
      'compose.yaml': readFileSync(join(REPO_ROOT, 'compose.yaml'), 'utf8'),
    };
    const encoded = Buffer.from(pem).toString('base64');
    for (const [where, text] of Object.entries(elsewhere)) {
      assert.ok(!text.replace(/\s/g, '').includes(body), `${where} holds the demo key`);
      assert.ok(!text.includes(encoded.slice(0, 64)), `${where} holds the demo key file`);
    }
  });
});
