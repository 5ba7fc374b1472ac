import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import type { Service } from '@gateway-pattern/service-kit';
import { predictRows } from './forest/predict.ts';
import { boston, bostonRecords } from './forest/testing.ts';
import { models, testApp } from './testing/app.ts';

const apps: Service[] = [];
/** An app closed after the file's tests. */
function open(...args: Parameters<typeof testApp>): Service {
  const app = testApp(...args);
  apps.push(app);
  return app;
}
after(() => Promise.all(apps.map((app) => app.close())));

describe('buildApp', () => {
  it('titles the API "<APP_PREFIX> API", as the R service does', async () => {
    assert.deepEqual((await open().inject('/')).json(), { title: 'R Backend API' });
    assert.deepEqual((await open({ appPrefix: 'Admissions' }).inject('/')).json(), {
      title: 'Admissions API',
    });
  });

  it('answers every route: /, /admission, /admission/model, /score, /score/model', async () => {
    const app = open();
    const routes: Array<[string, string, unknown]> = [
      ['GET', '/', undefined],
      ['POST', '/admission', { gre: 600, rank: '1' }],
      ['GET', '/admission/model', undefined],
      ['POST', '/score', { df: bostonRecords(2) }],
      ['GET', '/score/model', undefined],
    ];
    for (const [method, url, payload] of routes) {
      const res = await app.inject({ method: method as 'GET' | 'POST', url, payload: payload as object });
      assert.equal(res.statusCode, 200, `${method} ${url}: ${res.body}`);
      assert.match(String(res.headers['content-type']), /^application\/json/);
    }
  });

  it('scores Boston rows with the built forest', async () => {
    const res = await open().inject({ method: 'POST', url: '/score', payload: bostonRecords(5) });
    const expected = new Float64Array(5);
    predictRows(models.scoring.forest, boston().x, 5, expected);
    assert.deepEqual(res.json(), Array.from(expected));
    const info = (await open().inject('/score/model')).json<{ ntree: number; target: string }>();
    assert.equal(info.ntree, models.scoring.info.ntree);
    assert.equal(info.target, 'medv');
  });

  it('passes the scoring limits to /score', async () => {
    const app = open({ scoreMaxRows: 2, scoreBodyLimit: 2048 });
    const many = await app.inject({ method: 'POST', url: '/score', payload: bostonRecords(3) });
    assert.equal(many.statusCode, 422);
    assert.deepEqual(many.json(), { detail: 'too many rows: 3 (at most 2 per request)' });
    const big = await app.inject({ method: 'POST', url: '/score', payload: bostonRecords(50) });
    assert.equal(big.statusCode, 413);
  });

  it('answers unknown routes and methods with a JSON 404', async () => {
    const app = open();
    for (const [method, url] of [
      ['GET', '/nope'],
      ['DELETE', '/admission'],
    ] as const) {
      const res = await app.inject({ method, url });
      assert.equal(res.statusCode, 404, `${method} ${url}`);
      assert.deepEqual(res.json(), { detail: 'Not Found' });
    }
  });
});
