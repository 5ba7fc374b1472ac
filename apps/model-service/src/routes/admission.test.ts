import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { models, testApp } from '../testing/app.ts';

const app = testApp();
after(() => app.close());

async function admit(payload: string | undefined, contentType = 'application/json') {
  const res = await app.inject({
    method: 'POST',
    url: '/admission',
    headers: payload === undefined ? {} : { 'content-type': contentType },
    payload,
  });
  return { status: res.statusCode, body: res.json() as Record<string, unknown> };
}

describe('GET /', () => {
  it('answers the title', async () => {
    const res = await app.inject('/');
    assert.deepEqual(res.json(), { title: 'R Backend API' });
  });
});

describe('POST /admission', () => {
  it("answers the walkthrough's request", async () => {
    const res = await admit('{"gre": 600, "rank": "1"}');
    assert.equal(res.status, 200);
    assert.equal(res.body.result, true);
    assert.ok(Math.abs((res.body.probability as number) - 0.52355) < 5e-6);
    assert.deepEqual(Object.keys(res.body).sort(), ['probability', 'result']);
  });

  it('takes rank as a number too, and imputes everything that is missing or null', async () => {
    assert.deepEqual(
      (await admit('{"gre": 600, "rank": 1}')).body,
      (await admit('{"gre": 600, "rank": "1"}')).body,
    );
    // The mean gre (587.7) is not an integer, so the request cannot spell it out: ask the model directly.
    const imputed = models.admission.predict({ ...models.admission.imputation });
    for (const body of [
      undefined,
      '',
      'null',
      '{}',
      '{"gre": null, "gpa": null, "rank": null}',
      '{"other": 1}',
    ]) {
      const res = await admit(body);
      assert.equal(res.status, 200, String(body));
      const gap = Math.abs((res.body.probability as number) - imputed.probability);
      assert.ok(gap < 1e-12, String(body));
    }
  });

  it('ignores unknown fields, as pydantic and pybackend-ts do', async () => {
    const res = await admit('{"gre": 600, "rank": "1", "name": "x", "admit": 1}');
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, (await admit('{"gre": 600, "rank": "1"}')).body);
  });
});

describe('POST /admission validation', () => {
  const cases: Array<[string, string, RegExp]> = [
    ['gre above 800', '{"gre": 801}', /^body\/gre must be <= 800$/],
    ['gre below 0', '{"gre": -1}', /^body\/gre must be >= 0$/],
    // gre is an integer, as in pybackend-ts, which validates with the same schema before relaying.
    ['a fractional gre', '{"gre": 600.5}', /^body\/gre must be integer$/],
    ['gre as a word', '{"gre": "abc"}', /^body\/gre must be integer$/],
    ['gre as a numeric string', '{"gre": "600"}', /^body\/gre must be integer$/],
    ['gre as an array', '{"gre": [600]}', /^body\/gre must be integer$/],
    ['gre as an object', '{"gre": {"value": 600}}', /^body\/gre must be integer$/],
    ['gre too large for a double', '{"gre": 1e400}', /^body\/gre must be integer$/],
    ['gpa above 4', '{"gpa": 4.5}', /^body\/gpa must be <= 4$/],
    ['gpa below 0', '{"gpa": -1}', /^body\/gpa must be >= 0$/],
    ['gpa as a boolean', '{"gpa": true}', /^body\/gpa must be number$/],
    ['rank 5', '{"rank": 5}', /^body\/rank must be equal to one of the allowed values$/],
    ['rank 0', '{"rank": 0}', /^body\/rank /],
    ['rank "5"', '{"rank": "5"}', /^body\/rank /],
    ['rank "x"', '{"rank": "x"}', /^body\/rank /],
    ['rank " 1"', '{"rank": " 1"}', /^body\/rank /],
    ['rank 1.5', '{"rank": 1.5}', /^body\/rank /],
    ['rank true', '{"rank": true}', /^body\/rank /],
    ['rank as an object', '{"rank": {"level": 1}}', /^body\/rank /],
    ['an array body', '[1, 2]', /^body must be object$/],
    ['a string body', '"gre"', /^body must be object$/],
    ['a number body', '600', /^body must be object$/],
  ];
  for (const [name, payload, detail] of cases) {
    it(`answers 422 for ${name}, naming the field`, async () => {
      const res = await admit(payload);
      assert.equal(res.status, 422);
      assert.match(String(res.body.detail), detail);
      assert.deepEqual(Object.keys(res.body), ['detail']);
    });
  }

  it('answers a body that is not JSON with 400 or 415 and a detail', async () => {
    const broken = await admit('{"gre": ');
    assert.equal(broken.status, 400);
    assert.deepEqual(broken.body, {
      detail: "Body is not valid JSON but content-type is set to 'application/json'",
    });
    for (const type of ['application/xml', 'application/x-www-form-urlencoded']) {
      const res = await admit('gre=600', type);
      assert.equal(res.status, 415, type);
      assert.deepEqual(res.body, { detail: 'Unsupported Media Type' });
    }
    // Fastify reads text/plain as a string, which the schema then refuses as not an object.
    assert.deepEqual(await admit('gre=600', 'text/plain'), {
      status: 422,
      body: { detail: 'body must be object' },
    });
  });
});

describe('GET /admission/model', () => {
  it("shows R's summary table, the fit statistics and the imputation values", async () => {
    const res = await app.inject('/admission/model');
    assert.equal(res.statusCode, 200);
    const card = res.json() as Record<string, unknown> & {
      coefficients: Array<Record<string, unknown>>;
      imputation: Record<string, unknown>;
    };
    assert.deepEqual(Object.keys(card).sort(), [
      'aic',
      'coefficients',
      'dfNull',
      'dfResidual',
      'family',
      'formula',
      'imputation',
      'iterations',
      'n',
      'nullDeviance',
      'residualDeviance',
    ]);
    assert.equal(card.formula, 'admit ~ gre + gpa + factor(rank)');
    assert.equal(card.n, 400);
    assert.equal(card.dfNull, 399);
    assert.equal(card.dfResidual, 394);
    assert.equal(card.iterations, 4);
    assert.ok(Math.abs((card.aic as number) - 470.5175) < 1e-4);
    assert.ok(Math.abs((card.residualDeviance as number) - 458.5175) < 1e-4);
    assert.ok(Math.abs((card.nullDeviance as number) - 499.9765) < 1e-4);
    assert.deepEqual(
      card.coefficients.map((row) => row.name),
      ['(Intercept)', 'gre', 'gpa', 'rank2', 'rank3', 'rank4'],
    );
    for (const row of card.coefficients) {
      assert.deepEqual(Object.keys(row), ['name', 'estimate', 'stdError', 'zValue', 'pValue']);
    }
    assert.ok(Math.abs((card.coefficients[1]?.estimate as number) - 0.002264426) < 1e-6);
    assert.deepEqual(Object.keys(card.imputation).sort(), ['gpa', 'gre', 'rank']);
    assert.equal(card.imputation.rank, '2');
    assert.ok(Math.abs((card.imputation.gre as number) - 587.7) < 1e-9);
  });

  it('is the card the model computes, unchanged by serialisation', async () => {
    const res = await app.inject('/admission/model');
    assert.deepEqual(res.json(), JSON.parse(JSON.stringify(models.admission.card())));
  });
});
