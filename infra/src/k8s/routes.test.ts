import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { IIngressRoute } from '@kubernetes-models/traefik/traefik.io/v1alpha1/IngressRoute';
import type { IMiddleware } from '@kubernetes-models/traefik/traefik.io/v1alpha1/Middleware';
import type { ITLSOption } from '@kubernetes-models/traefik/traefik.io/v1alpha1/TLSOption';
import type { IService } from 'kubernetes-models/v1/Service';
import { loadGatewayDynamicConfig } from './gateway-config.ts';
import { getObject, type KubeObject, ofKind } from './objects.ts';
import { APP_NAMESPACE, K8S_DIR } from './paths.ts';
import { renderKustomization } from './render.ts';
import { rendered, SKIP_WITHOUT_KUBECTL } from './rendered.ts';

const gateway = loadGatewayDynamicConfig();

/** The Kubernetes Service that serves what a gateway service's URL points at: the one with that port. */
function serviceForPort(objects: readonly KubeObject[], port: number): IService {
  const matches = ofKind<IService>(objects, 'Service').filter((s) =>
    s.spec?.ports?.some((p) => p.port === port),
  );
  assert.equal(matches.length, 1, `exactly one Service should expose port ${port}`);
  return matches[0] as IService;
}

function urlPort(url: string): number {
  return Number(new URL(url).port);
}

const fqdn = (service: IService) => `${service.metadata?.name}.${APP_NAMESPACE}.svc.cluster.local`;

/** The header value Linkerd's ingress mode needs for a Service port. */
const l5dTarget = (service: IService, port: number) => `${fqdn(service)}:${port}`;

function middlewareOf(objects: readonly KubeObject[], name: string): IMiddleware['spec'] {
  return getObject<IMiddleware>(objects, 'Middleware', name).spec;
}

describe('every router of infra/gateway has its IngressRoute twin', { skip: SKIP_WITHOUT_KUBECTL }, () => {
  test('infra/gateway has routers to mirror', () => {
    assert.ok(Object.keys(gateway.routers).length >= 5);
  });

  for (const [name, router] of Object.entries(gateway.routers)) {
    test(`${name}: same rule, entry points, middlewares, service port and TLS`, () => {
      const objects = rendered('local');
      const route = getObject<IIngressRoute>(objects, 'IngressRoute', name);
      assert.deepEqual(route.spec.entryPoints, router.entryPoints);
      assert.equal(route.spec.routes.length, 1);
      const [rule] = route.spec.routes;
      assert.equal(rule?.match, router.rule);

      const gatewayService = gateway.services[router.service];
      assert.ok(gatewayService, `gateway service ${router.service}`);
      const port = urlPort(gatewayService.loadBalancer.servers[0]?.url ?? '');
      const service = serviceForPort(objects, port);
      assert.deepEqual(
        rule?.services?.map((s) => [s.name, s.port]),
        [[service.metadata?.name, port]],
      );
      assert.equal(route.spec.tls !== undefined, router.tls !== undefined, 'TLS on the same routers');

      // The gateway's middlewares in order, then, on a route that proxies, the Linkerd header for its Service.
      const names = (rule?.middlewares ?? []).map((m) => m.name);
      const redirects = (router.middlewares ?? []).some((m) => gateway.middlewares[m]?.redirectScheme);
      const expected = [
        ...(router.middlewares ?? []),
        ...(redirects ? [] : [`l5d-${service.metadata?.name}`]),
      ];
      assert.deepEqual(names, expected);
      if (!redirects) {
        const headers = middlewareOf(objects, expected.at(-1) ?? '').headers;
        assert.deepEqual(headers, { customRequestHeaders: { 'l5d-dst-override': l5dTarget(service, port) } });
      }
    });
  }

  for (const [name, config] of Object.entries(gateway.middlewares)) {
    test(`middleware ${name}: same type and settings`, () => {
      const objects = rendered('local');
      const spec = middlewareOf(objects, name) as Record<string, Record<string, unknown>>;
      const [type, settings] = Object.entries(config)[0] ?? [];
      assert.ok(type && settings);
      assert.deepEqual(Object.keys(spec), [type]);
      const twin = spec[type] ?? {};
      switch (type) {
        case 'forwardAuth': {
          const address = new URL(String(settings.address));
          const k8sAddress = new URL(String(twin.address));
          const target = serviceForPort(objects, Number(address.port));
          assert.equal(k8sAddress.host, `${fqdn(target)}:${address.port}`);
          assert.equal(k8sAddress.pathname, address.pathname);
          assert.deepEqual(twin.authResponseHeaders, settings.authResponseHeaders);
          assert.equal(twin.trustForwardHeader, settings.trustForwardHeader);
          // Kubernetes only: the auth call carries no client header that Linkerd's ingress mode would obey.
          assert.ok(Array.isArray(twin.authRequestHeaders));
          assert.ok(!twin.authRequestHeaders.some((h: string) => h.toLowerCase() === 'l5d-dst-override'));
          break;
        }
        case 'basicAuth': {
          // usersFile (a path on the gateway's disk) becomes a Secret of the namespace.
          const { secret, ...rest } = twin;
          const { usersFile: _usersFile, ...expected } = settings;
          assert.deepEqual(rest, expected);
          assert.equal(typeof secret, 'string');
          break;
        }
        default:
          assert.deepEqual(twin, settings);
      }
    });
  }
});

describe('production: HTTPS only, on the domain of site.env', { skip: SKIP_WITHOUT_KUBECTL }, () => {
  const siteEnv = readFileSync(join(K8S_DIR, 'overlays/production/site.env'), 'utf8');
  const domain = /^DOMAIN=(.+)$/m.exec(siteEnv)?.[1];

  test('site.env names the domain and the ACME e-mail, nothing else', () => {
    const settings = siteEnv
      .split('\n')
      .filter((l) => l.trim() !== '' && !l.startsWith('#'))
      .map((l) => l.split('=')[0]);
    assert.deepEqual(settings, ['DOMAIN', 'ACME_EMAIL']);
  });

  test('each routed IngressRoute of local is there, on websecure, with the host, the ACME resolver and TLS ≥ 1.2', () => {
    const local = rendered('local');
    const production = rendered('production');
    const routes = ofKind<IIngressRoute>(production, 'IngressRoute');
    const expected = ofKind<IIngressRoute>(local, 'IngressRoute').filter((r) =>
      r.spec.routes.every(
        (rule) => !rule.middlewares?.some((m) => middlewareOf(local, m.name).redirectScheme),
      ),
    );
    assert.deepEqual(routes.map((r) => r.metadata.name).sort(), expected.map((r) => r.metadata.name).sort());
    for (const route of expected) {
      const twin = getObject<IIngressRoute>(production, 'IngressRoute', route.metadata.name ?? '');
      assert.deepEqual(twin.spec.entryPoints, ['websecure']);
      assert.deepEqual(twin.spec.tls, { certResolver: 'le', options: { name: 'tls12' } });
      assert.deepEqual(
        twin.spec.routes,
        route.spec.routes.map((rule) => ({ ...rule, match: `Host(\`${domain}\`) && ${rule.match}` })),
      );
    }
    const option = getObject<ITLSOption>(production, 'TLSOption', 'tls12');
    assert.equal(option.spec.minVersion, 'VersionTLS12');
    assert.deepEqual(
      ofKind<IMiddleware>(production, 'Middleware').filter((m) => m.spec.redirectScheme),
      [],
      'the web entry point redirects instead (values-production.yaml)',
    );
  });

  test('changing DOMAIN in site.env is all it takes to serve another domain', () => {
    const copy = mkdtempSync(join(tmpdir(), 'k8s-domain-'));
    try {
      cpSync(K8S_DIR, copy, { recursive: true });
      const env = join(copy, 'overlays/production/site.env');
      writeFileSync(env, readFileSync(env, 'utf8').replace(/^DOMAIN=.*$/m, 'DOMAIN=shop.test.invalid'));
      const matches = ofKind<IIngressRoute>(
        renderKustomization(join(copy, 'overlays/production')),
        'IngressRoute',
      )
        .flatMap((r) => r.spec.routes)
        .map((rule) => rule.match);
      assert.ok(matches.length > 0);
      for (const match of matches) assert.match(match, /^Host\(`shop\.test\.invalid`\) && PathPrefix\(/);
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  });
});
