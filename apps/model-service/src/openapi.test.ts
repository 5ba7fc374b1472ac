/**
 * model-service describes itself: `/openapi.json` lists every route with its schemas (the scoring body with the
 * forest's own columns), and the response schemas added for it reshape no answer.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { checkOpenApi } from '@gateway-pattern/service-kit/testing';
import { models, testApp } from './testing/app.ts';

const app = testApp();
after(() => app.close());

describe('OpenAPI document', () => {
  it('lists every route with its schemas and error answers, and validates as OpenAPI 3.1', async () => {
    const document = await checkOpenApi(app);
    assert.equal(document.info.title, 'R Backend API');
    assert.deepEqual(Object.keys(document.paths).sort(), [
      '/',
      '/admission',
      '/admission/model',
      '/score',
      '/score/model',
    ]);
    const score = document.paths['/score']?.post;
    assert.deepEqual(Object.keys(score?.responses ?? {}).sort(), ['200', '413', '422', '4XX']);
    const body = score?.requestBody?.content?.['application/json']?.schema as {
      anyOf: Array<{ properties?: { df?: { items: { required: string[] } } } }>;
    };
    assert.deepEqual(body.anyOf[0]?.properties?.df?.items.required, [...models.scoring.features]);
  });

  it('answers /score/model and /admission/model exactly as before: every field of the model kept', async () => {
    assert.deepEqual(
      (await app.inject('/score/model')).json(),
      JSON.parse(JSON.stringify(models.scoring.info)),
    );
    assert.deepEqual(
      (await app.inject('/admission/model')).json(),
      JSON.parse(JSON.stringify(models.admission.card())),
    );
  });

  it('still checks /score bodies with the record reader, naming the row and column', async () => {
    const res = await app.inject({ method: 'POST', url: '/score', payload: [{ crim: 0.1 }] });
    assert.equal(res.statusCode, 422);
    assert.deepEqual(res.json(), { detail: "row 1: column 'zn' is missing" });
  });

  it('serves the documentation without an identity assertion even when they are required', async () => {
    const strict = testApp({
      identityAssertion: {
        jwksUrl: new URL('http://127.0.0.1:9/jwks'),
        issuer: 'forward-auth',
        audiences: ['model-service'],
      },
    });
    assert.equal((await strict.inject('/openapi.json')).statusCode, 200);
    assert.equal((await strict.inject('/docs/')).statusCode, 200);
    assert.equal((await strict.inject({ method: 'POST', url: '/admission', payload: {} })).statusCode, 401);
    await strict.close();
  });
});
