import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Type } from 'typebox';
import { LogLevel, loadEnv } from './env.ts';
import { EnvError, HttpError } from './errors.ts';
import { createService } from './service.ts';

function buildApp() {
  const app = createService({ name: 'test', logLevel: false });
  app.post(
    '/items',
    {
      schema: {
        body: Type.Object({ n: Type.Integer({ minimum: 0, maximum: 10 }) }, { additionalProperties: false }),
      },
    },
    async (request) => ({ n: request.body.n }),
  );
  app.get('/teapot', async () => {
    throw new HttpError(418, 'short and stout');
  });
  app.get('/boom', async () => {
    throw new Error('secret internals');
  });
  return app;
}

describe('createService', () => {
  it('answers schema violations with 422 and a detail naming the field', async () => {
    const app = buildApp();
    const res = await app.inject({ method: 'POST', url: '/items', payload: { n: 11 } });
    assert.equal(res.statusCode, 422);
    assert.match(res.json<{ detail: string }>().detail, /body\/n must be <= 10/);
    const extra = await app.inject({ method: 'POST', url: '/items', payload: { n: 1, m: 2 } });
    assert.equal(extra.statusCode, 422);
    assert.match(extra.json<{ detail: string }>().detail, /unknown field 'm'/);
  });

  it('answers malformed JSON with 400, not 500', async () => {
    const app = buildApp();
    const res = await app.inject({
      method: 'POST',
      url: '/items',
      headers: { 'content-type': 'application/json' },
      payload: '{"n": ',
    });
    assert.equal(res.statusCode, 400);
    assert.equal(typeof res.json<{ detail: string }>().detail, 'string');
  });

  it('renders HttpError and hides unexpected errors behind a plain 500', async () => {
    const app = buildApp();
    const teapot = await app.inject('/teapot');
    assert.equal(teapot.statusCode, 418);
    assert.deepEqual(teapot.json(), { detail: 'short and stout' });
    const boom = await app.inject('/boom');
    assert.equal(boom.statusCode, 500);
    assert.deepEqual(boom.json(), { detail: 'Internal Server Error' });
  });

  it('answers unknown routes with a JSON 404', async () => {
    const res = await buildApp().inject('/nowhere');
    assert.equal(res.statusCode, 404);
    assert.deepEqual(res.json(), { detail: 'Not Found' });
  });
});

describe('loadEnv', () => {
  const schema = Type.Object({
    PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 8101 }),
    VERBOSE: Type.Boolean({ default: false }),
  });

  it('applies defaults and converts strings', () => {
    assert.deepEqual(loadEnv('svc', schema, {}), { PORT: 8101, VERBOSE: false });
    assert.deepEqual(loadEnv('svc', schema, { PORT: '9000', VERBOSE: 'true' }), {
      PORT: 9000,
      VERBOSE: true,
    });
  });

  it('names every bad variable', () => {
    assert.throws(
      () => loadEnv('svc', schema, { PORT: 'eighty' }),
      (err: unknown) => err instanceof EnvError && /PORT/.test(err.message) && err.code === 'ERR_INVALID_ENV',
    );
  });
});

describe('LogLevel', () => {
  const schema = Type.Object({ LOG_LEVEL: LogLevel });

  it('defaults to info and accepts pino levels', () => {
    assert.deepEqual(loadEnv('svc', schema, {}), { LOG_LEVEL: 'info' });
    assert.deepEqual(loadEnv('svc', schema, { LOG_LEVEL: 'warn' }), { LOG_LEVEL: 'warn' });
  });

  it('rejects an unknown level', () => {
    assert.throws(
      () => loadEnv('svc', schema, { LOG_LEVEL: 'loud' }),
      (err: unknown) => err instanceof EnvError && /LOG_LEVEL/.test(err.message),
    );
  });
});

describe('empty JSON bodies', () => {
  it('reads an empty application/json body as no body, on known and unknown routes', async () => {
    const app = createService({ name: 'test', logLevel: false });
    app.post('/echo', async (request) => ({ body: request.body ?? null }));
    const empty = { 'content-type': 'application/json', 'content-length': '0' };
    const known = await app.inject({ method: 'POST', url: '/echo', headers: empty });
    assert.deepEqual(known.json(), { body: null });
    const unknown = await app.inject({ method: 'POST', url: '/nope', headers: empty });
    assert.equal(unknown.statusCode, 404);
    assert.deepEqual(unknown.json(), { detail: 'Not Found' });
    const broken = await app.inject({
      method: 'POST',
      url: '/echo',
      headers: { 'content-type': 'application/json' },
      payload: '{',
    });
    assert.equal(broken.statusCode, 400);
    await app.close();
  });
});

describe('errors raised before a route runs', () => {
  it('answers an oversized path parameter and oversized headers with a JSON detail', async () => {
    const app = createService({ name: 'test', logLevel: false });
    app.get('/echo/:value', async (request) => request.params);
    const url = await app.listen({ host: '127.0.0.1', port: 0 });
    const long = await fetch(`${url}/echo/${'9'.repeat(500)}`);
    assert.equal(long.status, 414);
    assert.match(((await long.json()) as { detail: string }).detail, /exceeding the max param length/);
    const huge = await fetch(`${url}/echo/1`, { headers: { 'x-big': 'x'.repeat(20_000) } });
    assert.equal(huge.status, 431);
    assert.deepEqual(await huge.json(), { detail: 'Request header fields too large' });
    await app.close();
  });
});

describe('loadEnv names every bad variable once', () => {
  it('lists the allowed values of an enum-like variable next to other problems', () => {
    const schema = Type.Object({
      PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 8000 }),
      LOG_LEVEL: LogLevel,
    });
    assert.throws(
      () => loadEnv('svc', schema, { PORT: 'abc', LOG_LEVEL: 'loud' }),
      (error: EnvError) => {
        assert.deepEqual(error.problems, [
          'PORT: must be integer (got "abc")',
          'LOG_LEVEL: must be one of fatal, error, warn, info, debug, trace, silent (got "loud")',
        ]);
        return true;
      },
    );
  });
});

describe('request logging', () => {
  it('logs one debug line per request with the path, never the query', async () => {
    const lines: Array<Record<string, unknown>> = [];
    const logStream = {
      write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>),
    };
    const quiet = createService({ name: 'svc', logLevel: 'info', logStream });
    quiet.get('/cb', async () => ({ ok: true }));
    await quiet.inject({ method: 'GET', url: '/cb?code=secret-code&state=s' });
    assert.deepEqual(
      lines.filter((line) => line.msg === 'request'),
      [],
      'nothing per request at info',
    );

    const verbose = createService({ name: 'svc', logLevel: 'debug', logStream });
    verbose.get('/cb', async () => ({ ok: true }));
    await verbose.inject({ method: 'GET', url: '/cb?code=secret-code&state=s' });
    const [line] = lines.filter((l) => l.msg === 'request');
    assert.equal(line?.path, '/cb');
    assert.equal(line?.status, 200);
    assert.doesNotMatch(JSON.stringify(lines), /secret-code/);
  });
});
