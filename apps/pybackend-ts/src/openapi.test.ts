/**
 * pybackend-ts describes itself: `/openapi.json` lists every route with its schemas, and neither it nor `/docs` is
 * taken by the catch-all `GET /{p}`. With identity assertions required, the documentation needs none.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { checkOpenApi } from '@gateway-pattern/service-kit/testing';
import { buildApp } from './app.ts';

// Assertions required, from a key set nobody serves: no route below gets as far as fetching it.
const app = buildApp({
  logLevel: false,
  appPrefix: 'Python Backend',
  modelServiceUrl: new URL('http://127.0.0.1:9'),
  upstreamTimeoutMs: 1000,
  identityAssertion: {
    jwksUrl: new URL('http://127.0.0.1:9/jwks'),
    issuer: 'forward-auth',
    audiences: ['pybackend-ts'],
  },
});
after(() => app.close());

describe('OpenAPI document', () => {
  it('lists every route with its schemas, the 422 and 502/504 answers, and validates as OpenAPI 3.1', async () => {
    const document = await checkOpenApi(app);
    assert.equal(document.info.title, 'Python Backend API');
    assert.deepEqual(Object.keys(document.paths).sort(), ['/', '/admission', '/whoami', '/{p}']);
    const admission = document.paths['/admission']?.post;
    assert.deepEqual(Object.keys(admission?.responses ?? {}).sort(), ['200', '422', '4XX', '502', '504']);
    const answer = admission?.responses?.['200']?.content?.['application/json']?.schema as {
      properties: object;
    };
    assert.deepEqual(Object.keys(answer.properties), ['result', 'probability']);
  });

  it('is served without an identity assertion, and not by the catch-all GET /{p}', async () => {
    const document = await app.inject('/openapi.json');
    assert.equal(document.statusCode, 200);
    assert.equal(document.json().openapi, '3.1.0');
    const page = await app.inject('/docs/');
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /swagger-ui/);
    // Every other path still needs one.
    assert.equal((await app.inject('/documentation')).statusCode, 401);
  });
});
