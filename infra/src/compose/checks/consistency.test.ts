/**
 * compose.yaml against what it deploys, offline: the Dockerfile stage each service builds, the environment each
 * app reads, the ports it listens on, the identity provider's issuer as every other service names it, the gateway's
 * dynamic files (whose routers the traefik profile also declares as docker labels), and the load client's options.
 * Each test names the service and field at fault.
 */

import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { parseOptions } from '@gateway-pattern/adder/src/load/options.ts';
import { loadDirectory } from '@gateway-pattern/identity/src/directory/load.ts';
import { validate } from 'dockerfile-utils';
import {
  type AuthRoute,
  assertionWiringProblems,
  DEFAULT_ASSERTION_ISSUER,
  verifierOf,
  type WiredBackend,
} from '../../identity-assertion-wiring.ts';
import { forwardAuthPolicy, NOT_REPRODUCED, pluginPolicy } from '../../jwt-stand-in.ts';
import { loadCompose, type ServiceSpec, servicesFor } from '../compose-file.ts';
import { type ContainerPlan, planContainer } from '../container.ts';
import { imageConfig } from '../dockerfile.ts';
import { COMPOSE_FILE, REPO_ROOT } from '../paths.ts';
import { HostPaths } from '../rehearse/host-paths.ts';
import { caseless, flatten, parseTraefikLabels, type TraefikLabels } from '../traefik-labels.ts';
import {
  appEnv,
  dynamicConfig,
  dynamicFileVariables,
  gatewayAddresses,
  gatewayEntryPoints,
  identityDirectoryVariables,
  listeningPorts,
} from './stack.ts';

const project = await loadCompose(COMPOSE_FILE);
const service = (name: string): ServiceSpec => {
  const found = project.services.get(name);
  assert.ok(found, `compose.yaml has no service ${name}`);
  return found;
};
const built = [...project.services.values()].filter((s) => s.build !== undefined);
const plans = new Map<string, ContainerPlan>();
for (const s of built) plans.set(s.name, await planContainer(s));
const dockerfile = await readFile(`${REPO_ROOT}/Dockerfile`, 'utf8');
/** The app services: built here and serving (the load clients reuse the adder image). */
const apps = built.filter((s) => s.profiles.length === 0);
/** Every service that runs its image's own server, profiles included (the traefik profile's adder-auth). */
const servers = built.filter((s) => s.command === undefined);
const plan = (s: ServiceSpec) => plans.get(s.name) as ContainerPlan;

/** The `http://name:port` URLs in a text, with the service name and port. */
const serviceUrls = (text: string) =>
  [...text.matchAll(/\bhttps?:\/\/([a-z0-9-]+):(\d+)/g)].map((m) => ({
    host: m[1] as string,
    port: Number(m[2]),
  }));

describe('images', () => {
  it('the Dockerfile has nothing dockerfile-utils reports', () => {
    assert.deepEqual(
      validate(dockerfile).map((d) => `line ${d.range.start.line + 1}: ${d.message}`),
      [],
    );
  });

  it('every service built here names its app twice, as the stage and as APP', () => {
    for (const s of built) {
      assert.equal(s.build?.args.APP, s.build?.target, `${s.name}: build.target and build.args.APP differ`);
      assert.equal(
        s.build?.context,
        REPO_ROOT.replace(/\/$/, ''),
        `${s.name}: the context is the repository root`,
      );
    }
    const stages = [...dockerfile.matchAll(/^FROM runtime AS (\S+)$/gm)].map((m) => m[1]).sort();
    assert.deepEqual(
      stages,
      [...new Set(apps.map((s) => s.build?.target))].sort(),
      'one app stage per app service',
    );
  });

  it('every image runs as a non-root user, given by number', () => {
    for (const [name, plan] of plans) {
      assert.notEqual(plan.uid, 0, `${name} runs as root`);
      assert.match(plan.image.user, /^\d+(:\d+)?$/, `${name}: USER ${plan.image.user} is not numeric`);
      assert.equal(plan.service.user, undefined, `${name}: compose overrides the image's user`);
    }
  });

  it('every app stage exposes exactly the ports its app listens on by default, and probes one of them', async () => {
    for (const s of apps) {
      const image = imageConfig(dockerfile, s.build?.target, s.build?.args);
      const standalone = { ...(plans.get(s.name) as ContainerPlan), env: image.env };
      const ports = await listeningPorts(standalone);
      assert.deepEqual([...image.exposed].sort(), [...ports].sort(), `${s.name}: EXPOSE`);
      const probed = new URL(image.env.HEALTHCHECK_URL ?? '').port;
      assert.ok(ports.includes(Number(probed)), `${s.name}: HEALTHCHECK_URL probes ${probed}`);
    }
  });
});

describe('services', () => {
  it('every app service has a health check, and its dependencies are waited for until healthy', () => {
    for (const s of servers) {
      assert.ok(plans.get(s.name)?.healthcheck, `${s.name} has no health check`);
      for (const [dependency, condition] of Object.entries(s.dependsOn)) {
        assert.equal(condition, 'service_healthy', `${s.name} → ${dependency}`);
      }
    }
    assert.deepEqual(
      Object.keys(service('gateway').dependsOn).sort(),
      ['adder', 'forward-auth', 'identity', 'model-service', 'pybackend-ts'],
      'the gateway waits for every service it routes to, and for the issuer of the tokens it checks',
    );
    // forward-auth's static tokens must not depend on the identity provider: it discovers it on the first login.
    assert.equal(
      service('forward-auth').dependsOn.identity,
      undefined,
      'forward-auth does not wait for identity',
    );
  });

  it("health checks are the image's node probe, on a port the app listens on", async () => {
    for (const s of servers) {
      const plan = plans.get(s.name) as ContainerPlan;
      const image = imageConfig(dockerfile, s.build?.target, s.build?.args);
      assert.deepEqual(
        plan.healthcheck?.test,
        image.healthcheck?.test,
        `${s.name}: not the Dockerfile's probe`,
      );
      const url = new URL(plan.env.HEALTHCHECK_URL ?? '');
      assert.equal(url.hostname, '127.0.0.1', `${s.name}: HEALTHCHECK_URL`);
      assert.ok((await listeningPorts(plan)).includes(Number(url.port)), `${s.name}: probes ${url.port}`);
    }
  });

  it('every variable a service sets is one its app reads', async () => {
    const entryPointVariables = Object.keys(await gatewayEntryPoints()).map(
      (name) => `GATEWAY_ENTRYPOINTS_${name.toUpperCase()}_ADDRESS`,
    );
    const gatewayReads = new Set([
      ...(await dynamicFileVariables()),
      ...entryPointVariables,
      'GATEWAY_ADMIN_PUBLIC',
      'GATEWAY_ALIAS_HEADERS_STRATEGY',
      'LOG_LEVEL',
      'HEALTHCHECK_URL',
    ]);
    // identity also renders its directory (identity.yml) as a template of the environment.
    const identityReads = await identityDirectoryVariables();
    for (const s of servers) {
      const schema = appEnv(plan(s));
      const reads = schema
        ? new Set([
            ...Object.keys(schema.properties),
            'HEALTHCHECK_URL',
            ...(s.build?.target === 'identity' ? identityReads : []),
          ])
        : gatewayReads;
      for (const name of Object.keys(s.environment))
        assert.ok(reads.has(name), `${s.name}: ${name} is read by nobody`);
    }
    // The traefik container renders the same dynamic files, so it needs the same variables.
    for (const name of await dynamicFileVariables()) {
      assert.ok(service('traefik').environment[name], `traefik: ${name} is not set`);
      assert.ok(service('gateway').environment[name], `gateway: ${name} is not set`);
    }
  });

  it('published and labelled ports are ports the app listens on; published on 127.0.0.1', async () => {
    for (const s of servers) {
      const ports = await listeningPorts(plan(s));
      for (const p of s.ports) {
        assert.ok(ports.includes(p.containerPort), `${s.name}: publishes ${p.containerPort}`);
        assert.equal(p.hostIp, '127.0.0.1', `${s.name}: ${p.hostPort} is published beyond this machine`);
      }
      for (const [name, options] of Object.entries(parseTraefikLabels(s.labels).services)) {
        const port = Number(caseless(options)['loadbalancer.server.port']);
        assert.ok(ports.includes(port), `${s.name}: label service ${name} port ${port}`);
      }
    }
  });

  it("the gateway listens beyond the container's loopback on every port compose publishes", async () => {
    const gateway = service('gateway');
    const addresses = await gatewayAddresses(gateway.environment);
    for (const port of gateway.ports) {
      const [name, address] =
        Object.entries(addresses).find(([, a]) => a.endsWith(`:${port.containerPort}`)) ?? [];
      assert.ok(name && address !== undefined, `gateway: no entrypoint on ${port.containerPort}`);
      const host = address.slice(0, address.lastIndexOf(':'));
      assert.ok(
        !['127.0.0.1', 'localhost', '[::1]'].includes(host),
        `gateway: ${name} listens on ${address}`,
      );
    }
    // The admin API is unauthenticated: our gateway moves it back to loopback unless told the port is protected.
    assert.equal(gateway.environment.GATEWAY_ADMIN_PUBLIC, 'true', 'GATEWAY_ADMIN_PUBLIC');
  });

  it('the gateway drops every look-alike of the identity headers, as npm start does', () => {
    // X.Auth.User reaches a CGI/WSGI-style backend as X-Auth-User; gateway.yml drops only X_Auth_User.
    assert.equal(service('gateway').environment.GATEWAY_ALIAS_HEADERS_STRATEGY, 'delete');
  });

  it('every URL between services names a service and a port it listens on', async () => {
    const ports = new Map<string, number[]>();
    for (const s of servers) ports.set(s.name, await listeningPorts(plan(s)));
    for (const s of project.services.values()) {
      const texts = [...Object.values(s.environment), ...Object.values(s.labels), ...(s.command ?? [])];
      for (const { host, port } of texts.flatMap(serviceUrls)) {
        if (host === 'localhost') continue;
        assert.ok(ports.has(host), `${s.name}: ${host} is not a service`);
        assert.ok(ports.get(host)?.includes(port), `${s.name}: ${host} does not listen on ${port}`);
      }
    }
  });

  it('turns the demo token off when STATIC_TOKENS is set empty', async () => {
    assert.equal(service('forward-auth').environment.STATIC_TOKENS, 'foobar:demo');
    const production = await loadCompose(COMPOSE_FILE, { STATIC_TOKENS: '' });
    assert.equal(production.services.get('forward-auth')?.environment.STATIC_TOKENS, '');
  });
});

describe('identity: one issuer, two addresses', () => {
  const identity = service('identity');
  const identityPlan = plan(identity);
  const issuer = identityPlan.env.ISSUER ?? '';
  /** Where containers reach identity: its service name and the port it listens on. */
  const internal = `http://identity:${identityPlan.env.PORT}`;

  it('keeps its signing keys on a named volume, at the path its image makes writable for its user', () => {
    const keysDir = identityPlan.env.KEYS_DIR ?? '';
    assert.ok(identity.readOnly, 'a read-only root file system');
    assert.ok(
      identity.namedVolumes.some((v) => v.target === keysDir && !v.readOnly),
      `KEYS_DIR ${keysDir} is on a writable named volume`,
    );
    // Docker fills a new named volume from the image's directory, owner included.
    const stage = dockerfile.slice(dockerfile.indexOf('FROM runtime AS identity'));
    const copy = new RegExp(
      `^COPY [^\\n]*--chown=${identityPlan.uid}:${identityPlan.gid}\\b[^\\n]* ${keysDir}$`,
      'm',
    );
    assert.match(
      stage.slice(0, stage.indexOf('\nFROM ', 1)),
      copy,
      'the image owns KEYS_DIR to the app user',
    );
  });

  it('signs as the URL the host reaches it at: localhost and a port it publishes', () => {
    const url = new URL(issuer);
    assert.equal(url.hostname, 'localhost');
    const published = identity.ports.find((p) => p.hostPort === Number(url.port));
    assert.equal(published?.containerPort, Number(identityPlan.env.PORT), `${issuer} is published`);
  });

  it('every service names that issuer, and reaches identity at its internal address', () => {
    const gateway = service('gateway').environment;
    assert.equal(gateway.IDENTITY_ISSUER, issuer, 'gateway IDENTITY_ISSUER');
    assert.equal(gateway.IDENTITY_URL, internal, 'gateway IDENTITY_URL');
    const forwardAuth = service('forward-auth').environment;
    assert.equal(forwardAuth.OIDC_ISSUER, issuer, 'forward-auth OIDC_ISSUER');
    assert.equal(forwardAuth.OIDC_INTERNAL_URL, internal, 'forward-auth OIDC_INTERNAL_URL');
    const adderAuth = service('adder-auth').environment;
    assert.equal(adderAuth.JWT_ISSUER, issuer, 'adder-auth JWT_ISSUER');
    assert.equal(adderAuth.JWT_JWKS_URL, `${internal}/jwks`, 'adder-auth JWT_JWKS_URL');
  });

  it("trusts X-Forwarded-Host, by which forward-auth's back channel names the public issuer", () => {
    assert.equal(identityPlan.env.TRUST_PROXY, 'true');
  });

  it("registers forward-auth's login client, with its secret and the callback at forward-auth's PUBLIC_URL", async () => {
    const forwardAuth = service('forward-auth').environment;
    const file = new HostPaths(identity.volumes, REPO_ROOT).get(identityPlan.env.IDENTITY_CONFIG ?? '');
    const directory = await loadDirectory(file, identityPlan.env);
    const client = directory.clients.get(forwardAuth.OIDC_CLIENT_ID ?? '');
    assert.ok(client, `client ${forwardAuth.OIDC_CLIENT_ID} is in ${file}`);
    assert.equal(client.secret, forwardAuth.OIDC_CLIENT_SECRET, 'OIDC_CLIENT_SECRET');
    assert.ok(
      client.redirectUris.includes(`${forwardAuth.PUBLIC_URL}/oauth2/callback`),
      `redirect URIs ${client.redirectUris.join(', ')}`,
    );
    const web = (await gatewayEntryPoints()).web;
    const published = service('gateway').ports.find((p) => p.containerPort === web)?.hostPort;
    assert.equal(
      forwardAuth.PUBLIC_URL,
      `http://localhost:${published}`,
      "PUBLIC_URL is the gateway's web port",
    );
  });
});

describe('traefik profile: docker labels', () => {
  const traefik = service('traefik');
  const labelled = [...project.services.values()].map((s) => ({ s, labels: parseTraefikLabels(s.labels) }));
  const owner = (kind: 'routers' | 'services', name: string): { s: ServiceSpec; labels: TraefikLabels } => {
    const found = labelled.filter(({ labels }) => labels[kind][name] !== undefined);
    assert.equal(found.length, 1, `${kind} ${name}: declared by ${found.length} containers`);
    return found[0] as { s: ServiceSpec; labels: TraefikLabels };
  };

  it('every router in infra/gateway has its label twin: same rule, entrypoints, middlewares, tls, service', async () => {
    // As the traefik container renders the files: its file-provider routers and its label routers must agree.
    const files = await dynamicConfig(traefik.environment);
    const fileRouters = Object.keys(files.routers).sort();
    const labelRouters = labelled.flatMap(({ labels }) => Object.keys(labels.routers)).sort();
    assert.deepEqual(labelRouters, fileRouters, 'the same routers');
    for (const [name, router] of Object.entries(files.routers)) {
      const { s, labels } = owner('routers', name);
      assert.ok(labels.enabled, `${s.name}: routers need traefik.enable=true`);
      assert.deepEqual(caseless(labels.routers[name] ?? {}), caseless(flatten(router)), `router ${name}`);
      const serviceName = String(router.service);
      // Traefik's own services (noop@internal) are nobody's label.
      if (serviceName.endsWith('@internal')) continue;
      assert.equal(owner('services', serviceName).s.name, s.name, `service ${serviceName} is on ${s.name}`);
    }
  });

  it('every label service sends to the container and port its file twin does', async () => {
    const files = await dynamicConfig(traefik.environment);
    for (const [name, spec] of Object.entries(files.services)) {
      const { s, labels } = owner('services', name);
      const servers = (spec.loadBalancer as { servers: { url: string }[] }).servers;
      assert.equal(servers.length, 1, `service ${name}`);
      const url = new URL(servers[0]?.url ?? '');
      assert.equal(
        url.hostname,
        s.name,
        `service ${name}: the file sends to ${url.hostname}, the labels are on ${s.name}`,
      );
      assert.deepEqual(
        caseless(labels.services[name] ?? {}),
        { 'loadbalancer.server.port': url.port },
        `service ${name}`,
      );
    }
  });

  /**
   * The one deliberate difference. Traefik has no JWT middleware: the file's `adder-jwt` is our gateway's
   * plugin-shaped one, which Traefik cannot load (no plugin named jwt), so its router@file stays disabled. The
   * adder's labels declare a forwardAuth of the same name to a forward-auth in JWT mode only, which must enforce
   * the plugin's policy (checked below, in place of the option-for-option comparison).
   */
  const STAND_INS: Readonly<Record<string, string>> = { 'adder-jwt': 'adder-auth' };

  it('every label middleware is its file twin, option for option, on each container that uses it', async () => {
    const files = await dynamicConfig(traefik.environment);
    for (const { s, labels } of labelled) {
      const used = new Set(
        Object.values(labels.routers).flatMap((r) => (caseless(r).middlewares ?? '').split(',')),
      );
      used.delete('');
      assert.deepEqual(
        Object.keys(labels.middlewares).sort(),
        [...used].sort(),
        `${s.name}: middlewares declared = used`,
      );
      for (const name of used) {
        if (STAND_INS[name] !== undefined) continue;
        const file = files.middlewares[name];
        assert.ok(file, `${s.name}: middleware ${name} is not in infra/gateway`);
        const [type, options] = Object.entries(file)[0] as [string, unknown];
        const label = labels.middlewares[name];
        assert.equal(label?.type.toLowerCase(), type.toLowerCase(), `${s.name}: middleware ${name} type`);
        assert.deepEqual(
          caseless(label?.options ?? {}),
          caseless(flatten(options)),
          `${s.name}: middleware ${name}`,
        );
      }
    }
  });

  it("adder-jwt: a forwardAuth to adder-auth, which enforces the jwt plugin's policy and nothing else", async () => {
    const files = await dynamicConfig(traefik.environment);
    for (const [name, standIn] of Object.entries(STAND_INS)) {
      const plugin = (files.middlewares[name]?.plugin as { jwt?: Record<string, unknown> } | undefined)?.jwt;
      assert.ok(plugin, `${name} is a jwt plugin middleware in infra/gateway`);
      const declared = labelled.filter(({ labels }) => labels.middlewares[name] !== undefined);
      assert.ok(declared.length > 0, `${name} has a label twin`);
      const auth = service(standIn);
      assert.deepEqual(auth.profiles, ['traefik'], `${standIn} runs with Traefik only`);
      assert.ok(auth.dependsOn.identity, `${standIn} waits for identity`);
      for (const { s, labels } of declared) {
        const label = labels.middlewares[name];
        assert.equal(label?.type.toLowerCase(), 'forwardauth', `${s.name}: ${name} type`);
        const options = caseless(label?.options ?? {});
        const port = (await listeningPorts(plan(auth)))[0];
        assert.equal(options.address, `http://${standIn}:${port}/auth`, `${s.name}: ${name} address`);
        assert.equal(options.trustforwardheader, 'false', `${s.name}: ${name} trustForwardHeader`);
        assert.deepEqual(
          options.authresponseheaders?.split(','),
          ['X-Auth-User', 'X-Auth-Client', 'X-Auth-Roles'],
          `${s.name}: ${name} copies the caller's identity`,
        );
      }
      const { policy, notReproduced } = pluginPolicy(plugin);
      assert.deepEqual(forwardAuthPolicy(plan(auth).env), policy, `${standIn} enforces ${name}'s policy`);
      assert.deepEqual(notReproduced, Object.keys(NOT_REPRODUCED).sort(), 'the options it cannot reproduce');
    }
  });

  it('file paths in labels and in the traefik environment are files of infra/gateway inside the container', async () => {
    const paths = new HostPaths(traefik.volumes, REPO_ROOT);
    const gatewayPaths = new HostPaths(service('gateway').volumes, REPO_ROOT);
    assert.equal(
      paths.find(traefik.environment.BOS_RF_USERS_FILE ?? ''),
      gatewayPaths.find(service('gateway').environment.BOS_RF_USERS_FILE ?? ''),
    );
    assert.equal(paths.find('/etc/traefik/traefik.yml'), `${REPO_ROOT}infra/compose/traefik.yml`);
    assert.equal(paths.find(`${traefik.workingDir}/dynamic`), `${REPO_ROOT}infra/gateway/dynamic`);
  });

  it('redirects plain HTTP to the port each proxy publishes websecure on', async () => {
    const websecure = (await gatewayEntryPoints()).websecure;
    for (const proxy of [service('gateway'), traefik]) {
      const published = proxy.ports.find((p) => p.containerPort === websecure)?.hostPort;
      assert.equal(Number(proxy.environment.GATEWAY_WEBSECURE_PORT), published, proxy.name);
    }
  });
});

describe('signed identity (X-Auth-Assertion)', () => {
  /** The service an `http://service:port` URL reaches, when it is one and listens there. */
  const serviceAt = async (url: string): Promise<string | undefined> => {
    const { hostname, port } = new URL(url);
    const target = servers.find((s) => s.name === hostname);
    if (target === undefined) return undefined;
    return (await listeningPorts(plan(target))).includes(Number(port)) ? target.name : undefined;
  };

  /** Every forward-auth, every server as a backend, and every forwardAuth router of both proxies. */
  async function wiring() {
    const signers = Object.fromEntries(
      servers
        .filter((s) => s.build?.target === 'forward-auth')
        .map((s) => [s.name, { issuer: plan(s).env.IDENTITY_ASSERTION_ISSUER ?? DEFAULT_ASSERTION_ISSUER }]),
    );
    const backends: Record<string, WiredBackend> = {};
    for (const s of servers) {
      const env = plan(s).env;
      const verifier = verifierOf(s.build?.target ?? '', env);
      const keysFrom = verifier === null ? undefined : await serviceAt(verifier.jwksUrl.href);
      const called = Object.values(env)
        .flatMap(serviceUrls)
        .map((u) => u.host);
      const relaysTo = [...new Set(called)].filter(
        (host) => project.services.has(host) && host !== s.name && host !== keysFrom,
      );
      backends[s.name] = { verifier, keysFrom, relaysTo };
    }
    const routes: AuthRoute[] = [];
    // Our gateway and the traefik profile's file provider, each rendering the files with its own environment.
    for (const proxy of [service('gateway'), service('traefik')]) {
      const files = await dynamicConfig(proxy.environment);
      for (const [name, router] of Object.entries(files.routers)) {
        const target = files.services[String(router.service)]?.loadBalancer as
          | { servers: { url: string }[] }
          | undefined;
        if (target === undefined) continue;
        const backend = new URL(target.servers[0]?.url ?? '').hostname;
        for (const middleware of (router.middlewares as string[] | undefined) ?? []) {
          const forwardAuth = files.middlewares[middleware]?.forwardAuth as
            | { address: string; authResponseHeaders?: string[] }
            | undefined;
          if (forwardAuth === undefined) continue;
          routes.push({
            name: `${proxy.name}: ${name}@file`,
            backend,
            address: forwardAuth.address,
            signer: await serviceAt(forwardAuth.address),
            copies: forwardAuth.authResponseHeaders ?? [],
          });
        }
      }
    }
    // The traefik profile's docker provider: each router's service is on the container that declares it.
    const labelled = [...project.services.values()].map((s) => ({ s, labels: parseTraefikLabels(s.labels) }));
    for (const { labels } of labelled) {
      for (const [name, router] of Object.entries(labels.routers)) {
        const options = caseless(router);
        const backend = labelled.find((l) => l.labels.services[options.service ?? ''] !== undefined)?.s.name;
        if (backend === undefined) continue;
        for (const middleware of (options.middlewares ?? '').split(',')) {
          const declared = labelled.find((l) => l.labels.middlewares[middleware] !== undefined);
          const label = declared?.labels.middlewares[middleware];
          if (label?.type.toLowerCase() !== 'forwardauth') continue;
          const forwardAuth = caseless(label.options);
          routes.push({
            name: `traefik: ${name}@docker`,
            backend,
            address: forwardAuth.address ?? '',
            signer: await serviceAt(forwardAuth.address ?? ''),
            copies: (forwardAuth.authresponseheaders ?? '').split(','),
          });
        }
      }
    }
    return { signers, backends, routes };
  }

  it('is on: pybackend-ts and model-service check it against forward-auth, as the routes to them ask', async () => {
    const wired = await wiring();
    const verifying = Object.entries(wired.backends).filter(([, b]) => b.verifier !== null);
    assert.deepEqual(verifying.map(([name]) => name).sort(), ['model-service', 'pybackend-ts']);
    for (const [name, backend] of verifying) assert.equal(backend.keysFrom, 'forward-auth', name);
    assert.ok(
      wired.routes.some((r) => r.name === 'traefik: pybackend@docker'),
      'the label routers are described',
    );
    assert.deepEqual(assertionWiringProblems(wired), []);
  });

  it('adder-auth signs nothing: no forwardAuth address asks it for an assertion', async () => {
    const asked = (await wiring()).routes.filter((r) => r.signer === 'adder-auth');
    assert.ok(asked.length > 0, 'adder-auth is asked about /add');
    for (const route of asked) assert.equal(new URL(route.address).search, '', route.name);
  });
});

describe('load profile', () => {
  it("runs the adder image's load client with valid options, against ports that serve them", async () => {
    const loaders = servicesFor(project, ['load']).filter((s) => s.profiles.includes('load'));
    assert.deepEqual(loaders.map((s) => s.name).sort(), ['adder-load', 'admission-load']);
    for (const s of loaders) {
      const [node, script, ...args] = s.command ?? [];
      assert.deepEqual([node, script], ['node', 'src/load/cli.ts'], s.name);
      assert.equal(s.build?.target, 'adder', `${s.name} runs the adder image`);
      const options = parseOptions(args);
      assert.notEqual(options, 'help');
      if (options === 'help') continue;
      const target = options.target;
      const [host, port] =
        target.kind === 'grpc' ? target.target.split(':') : [target.url.hostname, target.url.port];
      const dependency = service(host ?? '');
      assert.ok(s.dependsOn[dependency.name], `${s.name} waits for ${dependency.name}`);
      const ports = await listeningPorts(plans.get(dependency.name) as ContainerPlan);
      assert.ok(ports.includes(Number(port)), `${s.name}: ${host} does not listen on ${port}`);
    }
  });
});
