/** The adder's HTTP side describes itself: `/openapi.json` lists `/add/{x}/{y}` (plain text) and the health routes. */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { checkOpenApi } from '@gateway-pattern/service-kit/testing';
import { buildApp } from './app.ts';

const { http } = buildApp({ logLevel: false });
after(() => http.close());

describe('OpenAPI document', () => {
  it('lists every route with its schemas and error answers, and validates as OpenAPI 3.1', async () => {
    const document = await checkOpenApi(http);
    assert.deepEqual(Object.keys(document.paths).sort(), ['/add/{x}/{y}', '/healthz', '/readyz']);
    const add = document.paths['/add/{x}/{y}']?.get;
    assert.deepEqual(Object.keys(add?.responses?.['200']?.content ?? {}), ['text/plain']);
    assert.deepEqual(
      add?.parameters?.map((p) => `${p.in} ${p.name}`),
      ['path x', 'path y', 'header client'],
    );
  });

  it('still answers the sum as plain text, not as a JSON string', async () => {
    const res = await http.inject('/add/10/10');
    assert.equal(res.body, '20');
    assert.match(String(res.headers['content-type']), /^text\/plain/);
  });
});
