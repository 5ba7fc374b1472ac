import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { IIngressRoute } from '@kubernetes-models/traefik/traefik.io/v1alpha1/IngressRoute';
import type { IMiddleware } from '@kubernetes-models/traefik/traefik.io/v1alpha1/Middleware';
import type { ITLSOption } from '@kubernetes-models/traefik/traefik.io/v1alpha1/TLSOption';
import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import type { IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import type { IService } from 'kubernetes-models/v1/Service';
import { forwardAuthPolicy, NOT_REPRODUCED, pluginPolicy } from '../jwt-stand-in.ts';
import { loadGatewayDynamicConfig } from './gateway-config.ts';
import { getObject, type KubeObject, ofKind } from './objects.ts';
import { APP_NAMESPACE, K8S_DIR } from './paths.ts';
import { containerEnv, selects } from './pods.ts';
import { renderKustomization } from './render.ts';
import { rendered, SKIP_WITHOUT_KUBECTL } from './rendered.ts';

const gateway = loadGatewayDynamicConfig();

/**
 * The Kubernetes Service that serves what a gateway service's URL points at: the one with that port, or, when
 * several have it (forward-auth and adder-auth), the one named like the gateway's service.
 */
function serviceForPort(objects: readonly KubeObject[], port: number, name?: string): IService {
  let matches = ofKind<IService>(objects, 'Service').filter((s) =>
    s.spec?.ports?.some((p) => p.port === port),
  );
  if (matches.length > 1) matches = matches.filter((s) => s.metadata?.name === name);
  assert.equal(matches.length, 1, `exactly one Service should expose port ${port}`);
  return matches[0] as IService;
}

/** The Service a forwardAuth address names (`http://<service>.<namespace>.svc.cluster.local:<port>/auth`). */
function serviceAt(objects: readonly KubeObject[], address: string): IService {
  const url = new URL(address);
  const [name = '', namespace, ...rest] = url.hostname.split('.');
  assert.equal(namespace, APP_NAMESPACE, `${address}: a Service of ${APP_NAMESPACE}`);
  assert.equal(rest.join('.'), 'svc.cluster.local', `${address}: a full Service name`);
  const service = getObject<IService>(objects, 'Service', name);
  assert.ok(
    service.spec?.ports?.some((p) => p.port === Number(url.port)),
    `${name} exposes ${url.port}`,
  );
  return service;
}

/** The environment of the (one) container of the Deployment a Service selects. */
function envBehind(objects: readonly KubeObject[], service: IService): Record<string, string> {
  const [deployment, ...others] = ofKind<IDeployment>(objects, 'Deployment').filter((d) =>
    selects(service.spec?.selector, d.spec?.template.metadata?.labels ?? {}),
  );
  assert.ok(deployment && others.length === 0, `one Deployment behind Service ${service.metadata?.name}`);
  const [container] = deployment.spec?.template.spec?.containers ?? [];
  assert.ok(container);
  assert.match(container.image ?? '', /^gateway-pattern\/forward-auth:/, 'a forward-auth');
  return containerEnv(objects, container);
}

/**
 * The one deliberate difference between twins. Real Traefik has no JWT middleware: the gateway's `adder-jwt` is its
 * plugin-shaped jwt middleware, and its Kubernetes twin is a forwardAuth of the same name to a forward-auth that
 * runs in JWT mode only, which must enforce the plugin's policy. Checked below instead of option for option.
 */
const STAND_INS: Readonly<Record<string, string>> = { 'adder-jwt': 'adder-auth' };

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
      assert.equal(route.spec.tls !== undefined, router.tls !== undefined, 'TLS on the same routers');
      if (router.service.endsWith('@internal')) {
        // Traefik's own service (noop@internal for a redirect-only route), named the same way.
        assert.deepEqual(rule?.services, [{ name: router.service, kind: 'TraefikService' }]);
        assert.deepEqual(
          (rule?.middlewares ?? []).map((m) => m.name),
          router.middlewares ?? [],
        );
        return;
      }
      const gatewayService = gateway.services[router.service];
      assert.ok(gatewayService, `gateway service ${router.service}`);
      const port = urlPort(gatewayService.loadBalancer.servers[0]?.url ?? '');
      const service = serviceForPort(objects, port, router.service);
      assert.deepEqual(
        rule?.services?.map((s) => [s.name, s.port]),
        [[service.metadata?.name, port]],
      );

      // The gateway's middlewares in order, then, on a route that proxies, the Linkerd header for its Service,
      // unless one of the gateway's own middlewares sets it already (adder-dst).
      const names = (rule?.middlewares ?? []).map((m) => m.name);
      const own = router.middlewares ?? [];
      const redirects = own.some((m) => gateway.middlewares[m]?.redirectScheme);
      const setsL5d = (m: string) =>
        (gateway.middlewares[m]?.headers?.customRequestHeaders as Record<string, string> | undefined)?.[
          'l5d-dst-override'
        ] !== undefined;
      const l5d = own.find(setsL5d);
      const expected = [...own, ...(redirects || l5d ? [] : [`l5d-${service.metadata?.name}`])];
      assert.deepEqual(names, expected);
      if (!redirects) {
        const headers = middlewareOf(objects, l5d ?? expected.at(-1) ?? '').headers;
        assert.deepEqual(headers, { customRequestHeaders: { 'l5d-dst-override': l5dTarget(service, port) } });
      }
    });
  }

  for (const [name, standIn] of Object.entries(STAND_INS)) {
    test(`middleware ${name}: a forwardAuth to ${standIn}, which enforces the jwt plugin's policy and nothing else`, () => {
      const objects = rendered('local');
      const plugin = gateway.middlewares[name]?.plugin?.jwt as Record<string, unknown> | undefined;
      assert.ok(plugin, `${name} is a jwt plugin middleware in infra/gateway`);
      const spec = middlewareOf(objects, name);
      assert.deepEqual(Object.keys(spec), ['forwardAuth']);
      const forwardAuth = spec.forwardAuth ?? {};
      const target = serviceAt(objects, forwardAuth.address ?? '');
      assert.equal(target.metadata?.name, standIn);
      assert.equal(new URL(forwardAuth.address ?? '').pathname, '/auth');
      assert.equal(forwardAuth.trustForwardHeader, false);
      assert.deepEqual(forwardAuth.authResponseHeaders, ['X-Auth-User', 'X-Auth-Client', 'X-Auth-Roles']);
      assert.deepEqual(forwardAuth.authRequestHeaders, ['Authorization'], 'the token, and no Linkerd header');

      // Same policy; the keys come from identity's Service rather than the file's default address.
      const { policy, notReproduced } = pluginPolicy(plugin);
      const standInPolicy = forwardAuthPolicy(envBehind(objects, target));
      const jwks = new URL(standInPolicy.jwksUrl ?? '');
      const identity = getObject<IService>(objects, 'Service', jwks.hostname);
      assert.ok(
        identity.spec?.ports?.some((p) => p.port === Number(jwks.port)),
        `${jwks.host} is a Service port`,
      );
      assert.equal(jwks.pathname, new URL(policy.jwksUrl ?? '').pathname, 'the same JWKS path');
      assert.deepEqual(
        { ...standInPolicy, jwksUrl: policy.jwksUrl },
        policy,
        `${standIn} enforces ${name}'s policy`,
      );
      assert.deepEqual(notReproduced, Object.keys(NOT_REPRODUCED).sort(), 'the options it cannot reproduce');
    });
  }

  for (const [name, config] of Object.entries(gateway.middlewares).filter(([n]) => !STAND_INS[n])) {
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
          const target = serviceAt(objects, String(twin.address));
          assert.equal(k8sAddress.host, `${fqdn(target)}:${address.port}`);
          assert.equal(k8sAddress.pathname, address.pathname);
          assert.equal(k8sAddress.search, address.search, 'the same query (the assertion audiences)');
          // forward-auth itself, not a JWT-only stand-in.
          assert.equal(
            envBehind(objects, target).JWT_ISSUER,
            undefined,
            `${name} asks a forward-auth without JWT mode`,
          );
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
    assert.deepEqual(
      routes.map((r) => r.metadata.name).sort(),
      [...expected.map((r) => r.metadata.name), 'identity'].sort(),
      "local's routed IngressRoutes, and the identity provider's",
    );
    for (const route of expected) {
      const twin = getObject<IIngressRoute>(production, 'IngressRoute', route.metadata.name ?? '');
      assert.deepEqual(twin.spec.entryPoints, ['websecure']);
      assert.deepEqual(twin.spec.tls, { certResolver: 'le', options: { name: 'tls12' } });
      assert.deepEqual(
        twin.spec.routes,
        route.spec.routes.map((rule) => ({ ...rule, match: `Host(\`${domain}\`) && ${rule.match}` })),
      );
    }
    // The identity provider on a host of its own: the issuer must be an origin.
    const identity = getObject<IIngressRoute>(production, 'IngressRoute', 'identity');
    assert.deepEqual(identity.spec.entryPoints, ['websecure']);
    assert.deepEqual(identity.spec.tls, { certResolver: 'le', options: { name: 'tls12' } });
    assert.deepEqual(
      identity.spec.routes.map((rule) => [rule.match, rule.services?.map((s) => [s.name, s.port])]),
      [[`Host(\`id.${domain}\`)`, [['identity', 4444]]]],
    );
    assert.deepEqual(
      identity.spec.routes[0]?.middlewares?.map((m) => middlewareOf(production, m.name).headers),
      [{ customRequestHeaders: { 'l5d-dst-override': `identity.${APP_NAMESPACE}.svc.cluster.local:4444` } }],
    );
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
      const objects = renderKustomization(join(copy, 'overlays/production'));
      const routes = ofKind<IIngressRoute>(objects, 'IngressRoute');
      const matches = routes.filter((r) => r.metadata.name !== 'identity').flatMap((r) => r.spec.routes);
      assert.ok(matches.length > 0);
      for (const { match } of matches) assert.match(match, /^Host\(`shop\.test\.invalid`\) && PathPrefix\(/);
      const identity = routes.find((r) => r.metadata.name === 'identity');
      assert.deepEqual(
        identity?.spec.routes.map((rule) => rule.match),
        ['Host(`id.shop.test.invalid`)'],
      );
      // The public URLs the apps are configured with follow too.
      const data = Object.assign(
        {},
        ...ofKind<IConfigMap>(objects, 'ConfigMap')
          .filter((c) => c.metadata?.annotations?.['config.kubernetes.io/local-config'] === undefined)
          .map((c) => c.data),
      ) as Record<string, string>;
      for (const key of ['ISSUER', 'OIDC_ISSUER', 'JWT_ISSUER'])
        assert.equal(data[key], 'https://id.shop.test.invalid', key);
      for (const key of ['PUBLIC_URL', 'GATEWAY_PUBLIC_URL'])
        assert.equal(data[key], 'https://shop.test.invalid', key);
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  });
});
