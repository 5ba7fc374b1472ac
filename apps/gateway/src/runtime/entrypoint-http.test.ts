/**
 * `entryPoints.<name>.http.redirections.entryPoint` and `entryPoints.<name>.http.middlewares` on a real gateway:
 * the redirection router Traefik's internal provider adds, and entrypoint middlewares run before the routers' own.
 */

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { parseStaticConfig } from '../config/static.ts';
import { StaticConfigError } from '../errors.ts';
import {
  closedPort,
  eventually,
  send,
  startGateway,
  startUpstream,
  type TestGateway,
  type Upstream,
} from '../testing/harness.ts';

interface RouterView {
  status: string;
  error?: string[];
  priority: number;
  middlewares?: string[];
  entryPoints?: string[];
  using?: string[];
  provider: string;
  service: string;
  rule: string;
}

/** A catch-all router `app` (with `extra` lines) and more routers, all to the upstream's service `app`. */
const appFile = (upstream: Upstream, extra = '', routers = '') => `http:
  routers:
    app:
      rule: "PathPrefix(\`/\`)"
      service: app${extra}
${routers}  services:
    app:
      loadBalancer:
        servers: [{ url: "${upstream.url}" }]
`;

describe('entrypoint redirections', () => {
  let upstream: Upstream;
  let gw: TestGateway;
  let securePort: number;
  before(async () => {
    upstream = await startUpstream();
    securePort = await closedPort();
    gw = await startGateway({
      files: { 'app.yml': appFile(upstream) },
      static: {
        entryPoints: {
          web: { http: { redirections: { entryPoint: { to: 'websecure' } } } },
          websecure: { address: `127.0.0.1:${securePort}` },
        },
      },
    });
  });
  after(async () => {
    await gw.close();
    await upstream.close();
  });

  it('redirects GET with 301 to the target entrypoint, host, path and query kept', async () => {
    const reply = await send(`${gw.web}/a/b?x=1&y=2`, { headers: { host: 'example.com:8000' } });
    assert.equal(reply.status, 301);
    assert.equal(reply.headers.location, `https://example.com:${securePort}/a/b?x=1&y=2`);
    assert.equal(upstream.received.length, 0);
  });

  it('redirects other methods with 308 (permanent keeps the method)', async () => {
    const reply = await send(`${gw.web}/form`, {
      method: 'POST',
      body: 'x',
      headers: { host: 'example.com' },
    });
    assert.equal(reply.status, 308);
    assert.equal(reply.headers.location, `https://example.com:${securePort}/form`);
  });

  it('the router on the entrypoint stays, the redirection wins by priority; the API lists both', async () => {
    const redirect = (
      await send(`${gw.admin}/api/http/routers/web-to-websecure@internal`)
    ).json<RouterView>();
    assert.equal(redirect.status, 'enabled');
    assert.equal(redirect.provider, 'internal');
    assert.equal(redirect.service, 'noop@internal');
    assert.equal(redirect.rule, 'HostRegexp(`^.+$`)');
    assert.deepEqual(redirect.middlewares, ['redirect-web-to-websecure@internal']);
    assert.equal(redirect.priority, Number.MAX_SAFE_INTEGER - 1);
    const middleware = (
      await send(`${gw.admin}/api/http/middlewares/redirect-web-to-websecure@internal`)
    ).json<{ status: string; redirectScheme: Record<string, unknown> }>();
    assert.equal(middleware.status, 'enabled');
    assert.deepEqual(middleware.redirectScheme, {
      scheme: 'https',
      port: String(securePort),
      permanent: true,
    });
    const app = (await send(`${gw.admin}/api/http/routers/app@file`)).json<RouterView>();
    assert.equal(app.status, 'enabled');
    // On websecure the application router answers.
    const direct = await send(`http://127.0.0.1:${securePort}/x`);
    assert.equal(direct.status, 200);
    assert.equal(JSON.parse(direct.body).url, '/x');
  });
});

describe('entrypoint redirections: options', () => {
  let upstream: Upstream;
  let gw: TestGateway;
  before(async () => {
    upstream = await startUpstream();
    gw = await startGateway({
      files: {
        'app.yml': appFile(
          upstream,
          '',
          `    exempt:
      rule: "Host(\`exempt.test\`)"
      service: app
      priority: 100
`,
        ),
      },
      static: {
        entryPoints: {
          web: {
            http: { redirections: { entryPoint: { to: ':443', permanent: false, priority: 50 } } },
          },
        },
      },
    });
  });
  after(async () => {
    await gw.close();
    await upstream.close();
  });

  it('to ":443" with https drops the port; permanent: false gives 302 for GET and 307 otherwise', async () => {
    const get = await send(`${gw.web}/p?q`, { headers: { host: 'example.com:8000' } });
    assert.equal(get.status, 302);
    assert.equal(get.headers.location, 'https://example.com/p?q');
    const put = await send(`${gw.web}/p`, { method: 'PUT', body: '', headers: { host: 'example.com' } });
    assert.equal(put.status, 307);
  });

  it('a router of higher priority than the redirection answers; the rest is redirected', async () => {
    const exempt = await send(`${gw.web}/z`, { headers: { host: 'exempt.test' } });
    assert.equal(exempt.status, 200);
    assert.equal(JSON.parse(exempt.body).url, '/z');
    assert.equal((await send(`${gw.web}/z`, { headers: { host: 'other.test' } })).status, 302);
    // Traefik's provider.Normalize turns the `:` into a dash.
    const redirect = (await send(`${gw.admin}/api/http/routers/web-to--443@internal`)).json<RouterView>();
    assert.equal(redirect.priority, 50);
  });
});

describe('entrypoint middlewares', () => {
  let upstream: Upstream;
  let gw: TestGateway;
  const middlewares = (first: string) => `http:
  middlewares:
    first:
      addPrefix: { prefix: "${first}" }
    second:
      addPrefix: { prefix: "/second" }
    own:
      addPrefix: { prefix: "/own" }
`;
  before(async () => {
    upstream = await startUpstream();
    gw = await startGateway({
      files: {
        'app.yml': appFile(
          upstream,
          '\n      middlewares: [own]',
          `    both:
      rule: "PathPrefix(\`/both\`)"
      service: app
      entryPoints: [web, plain]
`,
        ),
        'middlewares.yml': middlewares('/first'),
      },
      static: {
        entryPoints: {
          web: { http: { middlewares: ['first@file', 'second'] } },
          plain: { address: '127.0.0.1:0' },
        },
      },
    });
  });
  after(async () => {
    await gw.close();
    await upstream.close();
  });

  it("run in order, before the router's own middlewares", async () => {
    const reply = await send(`${gw.web}/path?x=1`);
    assert.equal(reply.status, 200);
    // Each addPrefix goes in front of what the previous one made: first, then second, then the router's own.
    assert.equal(JSON.parse(reply.body).url, '/own/second/first/path?x=1');
  });

  it('a router on several entrypoints is split as Traefik splits it: <entrypoint>-<router> for those with middlewares', async () => {
    const onWeb = (await send(`${gw.admin}/api/http/routers/web-both@file`)).json<RouterView>();
    assert.equal(onWeb.status, 'enabled');
    assert.deepEqual(onWeb.middlewares, ['first@file', 'second']);
    assert.deepEqual(onWeb.using, ['web']);
    const rest = (await send(`${gw.admin}/api/http/routers/both@file`)).json<RouterView>();
    assert.deepEqual(rest.using, ['plain']);
    const plain = gw.gateway.url('plain');
    assert.equal(JSON.parse((await send(`${plain}/both`)).body).url, '/both');
    assert.equal(JSON.parse((await send(`${gw.web}/both`)).body).url, '/second/first/both');
  });

  it('follow a hot reload of the dynamic middleware', async () => {
    await gw.write('middlewares.yml', middlewares('/reloaded'));
    await eventually(
      async () => JSON.parse((await send(`${gw.web}/r`)).body).url === '/own/second/reloaded/r',
    );
  });

  it('a middleware that does not exist disables the routers of that entrypoint, with the error', async () => {
    await gw.write(
      'middlewares.yml',
      `http:
  middlewares:
    first:
      addPrefix: { prefix: "/first" }
    own:
      addPrefix: { prefix: "/own" }
`,
    );
    await eventually(async () => (await send(`${gw.web}/gone`)).status === 404);
    // `app` names no entrypoint, so it is on all three: its copy on web is `web-app`.
    const app = (await send(`${gw.admin}/api/http/routers/web-app@file`)).json<RouterView>();
    assert.equal(app.status, 'disabled');
    assert.ok(
      app.error?.some((e) => e.includes('middleware "second@file" does not exist')),
      String(app.error),
    );
    // The other entrypoint is unaffected.
    assert.equal((await send(`${gw.gateway.url('plain')}/both`)).status, 200);
    await gw.write('middlewares.yml', middlewares('/first'));
    await eventually(async () => (await send(`${gw.web}/back`)).status === 200);
  });
});

describe('entrypoint middlewares with a redirection', () => {
  it("run on the redirection router too (Traefik applies the entrypoint's model to every router on it)", async () => {
    const gw = await startGateway({
      files: {
        'mw.yml': `http:
  middlewares:
    tag:
      headers: { customResponseHeaders: { X-Entrypoint: web } }
`,
      },
      static: {
        entryPoints: {
          web: { http: { redirections: { entryPoint: { to: ':8443' } }, middlewares: ['tag@file'] } },
        },
      },
    });
    try {
      const reply = await send(`${gw.web}/p`, { headers: { host: 'example.com' } });
      assert.equal(reply.status, 301);
      assert.equal(reply.headers.location, 'https://example.com:8443/p');
      assert.equal(reply.headers['x-entrypoint'], 'web');
      const router = (await send(`${gw.admin}/api/http/routers/web-to--8443@internal`)).json<RouterView>();
      assert.deepEqual(router.middlewares, ['tag@file', 'redirect-web-to--8443@internal']);
    } finally {
      await gw.close();
    }
  });
});

describe('entrypoint http options in the static configuration', () => {
  it('applies Traefik defaults: scheme https, permanent true, priority MaxInt-1', () => {
    const { config, warnings } = parseStaticConfig({
      entryPoints: {
        web: {
          address: ':80',
          http: { redirections: { entryPoint: { to: 'websecure' } }, middlewares: 'a,b@file' },
        },
        websecure: { address: ':443' },
      },
    });
    assert.deepEqual(config.entryPoints.web?.http?.redirections?.entryPoint, {
      to: 'websecure',
      scheme: 'https',
      permanent: true,
      priority: Number.MAX_SAFE_INTEGER - 1,
    });
    assert.deepEqual(config.entryPoints.web?.http?.middlewares, ['a', 'b@file']);
    assert.deepEqual(warnings, []);
  });

  it('refuses a `to` that is neither a declared entrypoint nor a port, and a missing `to`', () => {
    assert.throws(
      () =>
        parseStaticConfig({
          entryPoints: { web: { address: ':80', http: { redirections: { entryPoint: { to: 'nowhere' } } } } },
        }),
      (error: unknown) =>
        error instanceof StaticConfigError && /redirections\.entryPoint\.to.*"nowhere"/.test(error.message),
    );
    assert.throws(
      () =>
        parseStaticConfig({
          entryPoints: {
            web: { address: ':80', http: { redirections: { entryPoint: { scheme: 'https' } } } },
          },
        }),
      StaticConfigError,
    );
  });
});
