import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { buildApp } from '../app.ts';

const app = buildApp({
  logLevel: false,
  appPrefix: 'Python Backend',
  modelServiceUrl: new URL('http://127.0.0.1:9'),
  upstreamTimeoutMs: 1000,
});
after(() => app.close());

describe('GET /', () => {
  it('answers the title', async () => {
    const res = await app.inject('/');
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.json(), { title: 'Python Backend API' });
  });

  it('uses APP_PREFIX for the title', async () => {
    const other = buildApp({
      logLevel: false,
      appPrefix: 'Relay',
      modelServiceUrl: new URL('http://127.0.0.1:9'),
      upstreamTimeoutMs: 1000,
    });
    assert.deepEqual((await other.inject('/')).json(), { title: 'Relay API' });
    await other.close();
  });
});

describe('GET /{p}', () => {
  it('echoes the path segment with the title', async () => {
    const res = await app.inject('/foobar');
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.json(), { title: 'Python Backend API', path: 'foobar' });
  });

  it('decodes the segment', async () => {
    assert.deepEqual((await app.inject('/foo%20bar')).json(), {
      title: 'Python Backend API',
      path: 'foo bar',
    });
  });

  it('answers GET /admission as a path, like FastAPI', async () => {
    assert.deepEqual((await app.inject('/admission')).json(), {
      title: 'Python Backend API',
      path: 'admission',
    });
  });

  it('does not match deeper paths', async () => {
    const res = await app.inject('/foo/bar');
    assert.equal(res.statusCode, 404);
    assert.deepEqual(res.json(), { detail: 'Not Found' });
  });
});
