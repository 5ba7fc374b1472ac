import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { testApp } from '../testing/app.ts';

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
    const imputed = await admit('{"gre": 587.7, "gpa": 3.3899, "rank": "2"}');
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
      const gap = Math.abs((res.body.probability as number) - (imputed.body.probability as number));
      assert.ok(gap < 1e-12, String(body));
    }
  });

  it('refuses out-of-range and mistyped fields with 422 naming the field', async () => {
    const cases: Array<[string, RegExp]> = [
      ['{"gre": 801}', /gre/],
      ['{"gre": -1}', /gre/],
      ['{"gre": "600"}', /gre/],
      ['{"gpa": 4.5}', /gpa/],
      ['{"rank": 5}', /rank/],
      ['{"rank": "x"}', /rank/],
      ['[1, 2]', /body/],
    ];
    for (const [payload, field] of cases) {
      const res = await admit(payload);
      assert.equal(res.status, 422, payload);
      assert.match(String(res.body.detail), field, payload);
    }
  });

  it('refuses a body that is not JSON with a 4xx and a detail', async () => {
    const broken = await admit('{"gre": ');
    assert.equal(broken.status, 400);
    assert.equal(typeof broken.body.detail, 'string');
    const text = await admit('gre=600', 'text/plain');
    assert.equal(text.status, 422);
    assert.equal(typeof text.body.detail, 'string');
    const xml = await admit('<gre>600</gre>', 'application/xml');
    assert.equal(xml.status, 415);
    assert.equal(typeof xml.body.detail, 'string');
  });
});

describe('GET /admission/model', () => {
  it("shows R's summary table and the imputation values", async () => {
    const res = await app.inject('/admission/model');
    assert.equal(res.statusCode, 200);
    const card = res.json() as {
      coefficients: Array<{
        name: string;
        estimate: number;
        stdError: number;
        zValue: number;
        pValue: number;
      }>;
      aic: number;
      imputation: { gre: number; gpa: number; rank: string };
      iterations: number;
    };
    assert.equal(card.coefficients.length, 6);
    assert.ok(Math.abs((card.coefficients[1]?.estimate ?? 0) - 0.002264426) < 1e-6);
    assert.ok(Math.abs(card.aic - 470.5175) < 1e-4);
    assert.equal(card.imputation.rank, '2');
    assert.equal(card.iterations, 4);
  });
});
