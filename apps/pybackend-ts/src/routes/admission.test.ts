import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { Service } from '@gateway-pattern/service-kit';
import { buildApp } from '../app.ts';
import {
  closedPortUrl,
  type ModelServiceStub,
  startModelServiceStub,
} from '../testing/model-service-stub.ts';

const appFor = (modelServiceUrl: URL, upstreamTimeoutMs = 5000) =>
  buildApp({ logLevel: false, appPrefix: 'Python Backend', modelServiceUrl, upstreamTimeoutMs });

let stub: ModelServiceStub;
let app: Service;

before(async () => {
  stub = await startModelServiceStub();
  app = appFor(stub.url);
});
after(async () => {
  await app.close();
  await stub.close();
});
beforeEach(() => {
  stub.received.length = 0;
  stub.answer({ kind: 'json', status: 200, body: { result: true, probability: 0.5235 } });
});

function post(
  payload?: string,
  headers: Record<string, string> = { 'content-type': 'application/json' },
  target = app,
) {
  return target.inject({ method: 'POST', url: '/admission', headers, payload });
}

describe('POST /admission validation', () => {
  const cases: [string, string, RegExp][] = [
    ['gre above 800', '{"gre": 801}', /^body\/gre must be <= 800$/],
    ['gre below 0', '{"gre": -1}', /^body\/gre must be >= 0$/],
    ['gre not an integer', '{"gre": 1.5}', /^body\/gre must be integer$/],
    // model-service refuses it with the same detail: both validate with @gateway-pattern/admission-api.
    ['a fractional gre', '{"gre": 600.5}', /^body\/gre must be integer$/],
    ['gre as a string', '{"gre": "600"}', /^body\/gre must be integer$/],
    ['gpa above 4', '{"gpa": 4.1}', /^body\/gpa must be <= 4$/],
    ['gpa as a boolean', '{"gpa": true}', /^body\/gpa must be number$/],
    ['rank "5"', '{"rank": "5"}', /^body\/rank /],
    ['rank "a"', '{"rank": "a"}', /^body\/rank /],
    ['rank true', '{"rank": true}', /^body\/rank /],
    ['rank 1.5', '{"rank": 1.5}', /^body\/rank /],
    ['rank as an object', '{"rank": {"level": 1}}', /^body\/rank /],
    ['an array body', '[600]', /^body must be object$/],
    ['a string body', '"gre"', /^body must be object$/],
    ['a number body', '600', /^body must be object$/],
  ];
  for (const [name, payload, detail] of cases) {
    it(`answers 422 for ${name}, without calling the model service`, async () => {
      const res = await post(payload);
      assert.equal(res.statusCode, 422);
      assert.match(res.json<{ detail: string }>().detail, detail);
      assert.equal(stub.received.length, 0);
    });
  }

  it('answers 400 for malformed JSON', async () => {
    const res = await post('{"gre": ');
    assert.equal(res.statusCode, 400);
    assert.equal(typeof res.json<{ detail: string }>().detail, 'string');
    assert.equal(stub.received.length, 0);
  });
});

describe('POST /admission relay', () => {
  it('forwards exactly the validated fields and returns the model answer', async () => {
    const res = await post('{"gre": 600, "rank": "1"}');
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.json(), { result: true, probability: 0.5235 });
    assert.equal(stub.received.length, 1);
    const [sent] = stub.received;
    assert.equal(sent!.method, 'POST');
    assert.equal(sent!.url, '/admission');
    assert.match(String(sent!.headers['content-type']), /^application\/json/);
    assert.equal(sent!.body, '{"gre":600,"rank":"1"}');
    assert.equal(sent!.headers.authorization, undefined);
    assert.equal(sent!.headers['x-auth-assertion'], undefined, 'none received, none sent');
  });

  it('drops unknown fields and nulls, and sends rank as its string level', async () => {
    await post('{"gre": 700, "gpa": 3.5, "rank": 2, "name": "x", "admit": 1}');
    await post('{"gre": null, "gpa": 3, "rank": null}');
    assert.deepEqual(
      stub.received.map((r) => r.body),
      ['{"gre":700,"gpa":3.5,"rank":"2"}', '{"gpa":3}'],
    );
  });

  it('accepts an empty body, {} and null as a request with no fields', async () => {
    for (const [payload, headers] of [
      [undefined, {}],
      ['', { 'content-type': 'application/json' }],
      ['{}', { 'content-type': 'application/json' }],
      ['null', { 'content-type': 'application/json' }],
    ] as const) {
      const res = await post(payload, headers);
      assert.equal(res.statusCode, 200, JSON.stringify(payload));
    }
    assert.deepEqual(
      stub.received.map((r) => r.body),
      ['{}', '{}', '{}', '{}'],
    );
  });

  it("passes a 4xx answer through with the model service's detail", async () => {
    stub.answer({ kind: 'json', status: 422, body: { detail: 'rank must be one of 1, 2, 3, 4' } });
    const res = await post('{"rank": "1"}');
    assert.equal(res.statusCode, 422);
    assert.deepEqual(res.json(), { detail: 'rank must be one of 1, 2, 3, 4' });
  });

  it('keeps a path prefix of MODEL_SERVICE_URL', async () => {
    const prefixed = appFor(new URL('/model/', stub.url));
    await post('{}', undefined, prefixed);
    assert.equal(stub.received[0]?.url, '/model/admission');
    await prefixed.close();
  });

  it('reuses one keep-alive connection for consecutive calls', async () => {
    const fresh = appFor(stub.url);
    const before = stub.connections();
    for (let i = 0; i < 3; i += 1) assert.equal((await post('{}', undefined, fresh)).statusCode, 200);
    assert.equal(stub.connections() - before, 1);
    await fresh.close();
  });
});

describe('POST /admission upstream failures', () => {
  it('answers 502 when the model service refuses the connection', async () => {
    const refused = appFor(await closedPortUrl());
    const res = await post('{"gre": 600}', undefined, refused);
    assert.equal(res.statusCode, 502);
    assert.deepEqual(res.json(), { detail: 'model service unavailable' });
    await refused.close();
  });

  it('answers 504 when the model service does not answer in time', async () => {
    stub.answer({ kind: 'hang' });
    const impatient = appFor(stub.url, 100);
    const res = await post('{"gre": 600}', undefined, impatient);
    assert.equal(res.statusCode, 504);
    assert.deepEqual(res.json(), { detail: 'model service timed out' });
    await impatient.close();
  });

  it('answers 502 when the model service fails with 500', async () => {
    stub.answer({ kind: 'json', status: 500, body: { detail: 'Internal Server Error' } });
    const res = await post('{"gre": 600}');
    assert.equal(res.statusCode, 502);
    assert.deepEqual(res.json(), { detail: 'model service failed (HTTP 500)' });
  });

  it('answers 502 when the model service answers 200 with something that is not JSON', async () => {
    stub.answer({ kind: 'text', status: 200, body: '<html>oops</html>' });
    const res = await post('{"gre": 600}');
    assert.equal(res.statusCode, 502);
    assert.deepEqual(res.json(), { detail: 'model service returned an invalid response' });
  });

  it('answers 502 when the model service answers 200 with an empty body', async () => {
    stub.answer({ kind: 'text', status: 200, body: '' });
    const res = await post('{"gre": 600}');
    assert.equal(res.statusCode, 502);
    assert.deepEqual(res.json(), { detail: 'model service returned an invalid response' });
  });

  it('relays a JSON answer of exactly 1 MiB and answers 502 for one byte more', async () => {
    const MiB = 1024 * 1024;
    const padded = (size: number) => ({
      result: true,
      pad: 'x'.repeat(size - '{"result":true,"pad":""}'.length),
    });
    stub.answer({ kind: 'json', status: 200, body: padded(MiB) });
    const fits = await post('{"gre": 600}');
    assert.equal(fits.statusCode, 200);
    assert.equal(fits.json<{ pad: string }>().pad.length, MiB - 24);

    stub.answer({ kind: 'json', status: 200, body: padded(MiB + 1) });
    const res = await post('{"gre": 600}');
    assert.equal(res.statusCode, 502);
    assert.deepEqual(res.json(), { detail: 'model service response too large' });

    // undici dropped that connection; the next call gets a fresh one.
    stub.answer({ kind: 'json', status: 200, body: { result: false, probability: 0.25 } });
    assert.deepEqual((await post('{"gre": 600}')).json(), { result: false, probability: 0.25 });
  });

  it('answers 502 for a non-JSON 4xx and for a redirect', async () => {
    stub.answer({ kind: 'text', status: 404, body: 'not here' });
    assert.equal((await post('{}')).statusCode, 502);
    stub.answer({ kind: 'text', status: 302, body: '' });
    assert.equal((await post('{}')).statusCode, 502);
  });
});
