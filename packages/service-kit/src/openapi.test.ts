import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Type } from 'typebox';
import { registerOpenApi } from './openapi.ts';
import { checkOpenApi, routerRoutes } from './openapi-check.ts';
import { createService, type Service } from './service.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Only for these tests: shows which routes got `routeConfig`. */
    marker?: string;
  }
}

async function routes(app: Service): Promise<void> {
  app.get('/', { schema: { response: { 200: Type.Object({ title: Type.String() }) } } }, async () => ({
    title: 'Test',
  }));
  app.get(
    '/:p',
    { schema: { params: Type.Object({ p: Type.String() }) } },
    async (request) => request.params,
  );
  app.post(
    '/items',
    {
      schema: {
        querystring: Type.Object({ dry: Type.Optional(Type.Boolean()) }),
        body: Type.Union([Type.Object({ n: Type.Integer() }), Type.Null()]),
        response: { 201: Type.Object({ n: Type.Integer() }) },
      },
    },
    async (_request, reply) => reply.code(201).send({ n: 1 }),
  );
  app.all('/any', async () => ({ ok: true }));
}

/** Routes as plugins, as every app registers them; `direct` adds routes straight on the instance instead. */
function buildApp(direct?: (app: Service) => void): Service {
  const app = createService({ name: 'test', logLevel: false });
  registerOpenApi(app, { title: 'Test API', version: '1.2.3', routeConfig: { marker: 'docs' } });
  app.addHook('onRequest', async (request, reply) => {
    if (request.routeOptions.config.marker) reply.header('x-marker', request.routeOptions.config.marker);
  });
  app.register(routes);
  direct?.(app);
  return app;
}

describe('registerOpenApi', () => {
  it('serves a valid OpenAPI 3.1 document with every route, its schemas and the error answers', async () => {
    const app = buildApp();
    const document = await checkOpenApi(app);
    assert.deepEqual(document.info, { title: 'Test API', version: '1.2.3' });
    const items = document.paths['/items']?.post;
    assert.ok(items);
    assert.deepEqual(Object.keys(items.responses ?? {}).sort(), ['201', '422', '4XX']);
    assert.deepEqual(
      items.parameters?.map((p) => [p.in, p.name]),
      [['query', 'dry']],
    );
    // The body schema accepts null: an empty body is allowed, so the body is not required.
    assert.equal((items.requestBody as { required?: boolean }).required, false);
    assert.ok(document.paths['/{p}']?.get);
    // `all` lists the methods OpenAPI 3.1 has a place for, not Fastify's WebDAV ones.
    assert.deepEqual(Object.keys(document.paths['/any'] ?? {}).sort(), [
      'delete',
      'get',
      'head',
      'options',
      'patch',
      'post',
      'put',
      'trace',
    ]);
    await app.close();
  });

  it('answers the errors it documents: 422 with a detail', async () => {
    const app = buildApp();
    const res = await app.inject({ method: 'POST', url: '/items', payload: { n: 'x' } });
    assert.equal(res.statusCode, 422);
    assert.deepEqual(res.json(), { detail: 'body/n must be integer' });
    await app.close();
  });

  it('is not swallowed by a catch-all route, and gives the documentation routes routeConfig', async () => {
    const app = buildApp();
    const document = await app.inject('/openapi.json');
    assert.equal(document.headers['x-marker'], 'docs');
    const page = await app.inject('/docs/');
    assert.equal(page.statusCode, 200);
    assert.equal(page.headers['x-marker'], 'docs');
    assert.equal((await app.inject('/')).headers['x-marker'], undefined);
    assert.deepEqual((await app.inject('/documents')).json(), { p: 'documents' });
    await app.close();
  });

  it('names the prefix the gateway stripped as the server, so "Try it out" goes through the gateway', async () => {
    const app = buildApp();
    const direct = await app.inject('/openapi.json');
    assert.deepEqual(direct.json().servers, [{ url: '/' }]);
    const proxied = await app.inject({
      url: '/openapi.json',
      headers: { 'x-forwarded-prefix': '/pybackend' },
    });
    assert.deepEqual(proxied.json().servers, [{ url: '/pybackend' }]);
    const ui = await app.inject({ url: '/docs/json', headers: { 'x-forwarded-prefix': '/pybackend' } });
    assert.deepEqual(ui.json().servers, [{ url: '/pybackend' }]);
    const odd = await app.inject({
      url: '/openapi.json',
      headers: { 'x-forwarded-prefix': 'https://evil.example' },
    });
    assert.deepEqual(odd.json().servers, [{ url: '/' }]);
    await app.close();
  });

  it('serves Swagger UI from the package: /docs redirects relatively, the page loads its assets relatively', async () => {
    const app = buildApp();
    const redirect = await app.inject('/docs');
    assert.equal(redirect.statusCode, 302);
    assert.equal(redirect.headers.location, 'docs/');
    const page = await app.inject('/docs/');
    assert.match(String(page.headers['content-type']), /^text\/html/);
    const assets = [...page.body.matchAll(/(?:href|src)="([^"]+)"/g)].map((m) => m[1] ?? '');
    assert.ok(assets.length >= 5);
    for (const asset of assets) {
      assert.match(asset, /^\.\/static\//, 'relative, so it works under a stripped prefix');
      const res = await app.inject(`/docs/${asset.slice(2)}`);
      assert.equal(res.statusCode, 200, asset);
    }
    // The document comes from this service, and the public validator is never asked about it.
    const initializer = await app.inject('/docs/static/swagger-initializer.js');
    assert.match(initializer.body, /url: resolveUrl\('\.\/json'\)/);
    assert.match(initializer.body, /validatorUrl: null/);
    await app.close();
  });

  it('fails the check for a route the document cannot see (added straight on the instance, not as a plugin)', async () => {
    const app = buildApp((instance) => {
      instance.get('/direct', async () => ({}));
    });
    await assert.rejects(checkOpenApi(app), /GET \/direct is served but not in \/openapi.json/);
    await app.close();
  });
});

describe('routerRoutes', () => {
  it("reads every method and full path of Fastify's router", async () => {
    const app = buildApp();
    await app.ready();
    const routes = routerRoutes(app).map((r) => `${r.method} ${r.url}`);
    for (const expected of [
      'GET /',
      'GET /:p',
      'POST /items',
      'GET /openapi.json',
      'GET /docs/json',
      'PUT /any',
    ]) {
      assert.ok(routes.includes(expected), `${expected} in ${routes.join(', ')}`);
    }
    await app.close();
  });
});
