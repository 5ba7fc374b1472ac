import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { buildApp } from '../app.ts';

const { http } = buildApp({ logLevel: false });
after(() => http.close());

describe('GET /add/{x}/{y}', () => {
  it('answers the sum as plain text', async () => {
    const res = await http.inject('/add/10/10');
    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers['content-type']), /^text\/plain/);
    assert.equal(res.body, '20');
    assert.equal((await http.inject('/add/-5/3')).body, '-2');
    assert.equal((await http.inject('/add/9223372036854775806/1')).body, '9223372036854775807');
  });

  it('refuses non-integers, out-of-range values and overflow with 400 and a detail', async () => {
    const cases: Array<[string, RegExp]> = [
      ['/add/a/1', /x must be an integer/],
      ['/add/1/1.5', /y must be an integer/],
      ['/add/1e3/1', /x must be an integer/],
      ['/add/9223372036854775808/0', /outside the int64 range/],
      ['/add/9223372036854775807/1', /overflows int64/],
      ['/add/-9223372036854775808/-1', /overflows int64/],
    ];
    for (const [url, detail] of cases) {
      const res = await http.inject(url);
      assert.equal(res.statusCode, 400, url);
      assert.match((res.json() as { detail: string }).detail, detail, url);
    }
  });

  it('answers 404 with a JSON detail for other paths', async () => {
    const res = await http.inject('/add/1');
    assert.equal(res.statusCode, 404);
    assert.deepEqual(res.json(), { detail: 'Not Found' });
  });
});

describe('health endpoints', () => {
  it('is alive at once and ready only once marked ready', async () => {
    const adder = buildApp({ logLevel: false });
    assert.equal((await adder.http.inject('/healthz')).statusCode, 200);
    assert.equal((await adder.http.inject('/readyz')).statusCode, 503);
    adder.markReady();
    assert.deepEqual((await adder.http.inject('/readyz')).json(), { status: 'ready' });
    await adder.http.close();
  });
});
