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

describe('GET /whoami', () => {
  it('wins over /{p} and reports no user without identity headers', async () => {
    const res = await app.inject('/whoami');
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.json(), { user: null, headers: {} });
  });

  it('reports the identity headers that are present, and only those', async () => {
    const res = await app.inject({
      url: '/whoami',
      headers: {
        'x-auth-user': 'demo',
        'x-forwarded-for': '10.0.0.1',
        'x-forwarded-host': 'localhost:8000',
        'x-forwarded-proto': 'http',
        'x-forwarded-prefix': '/pybackend',
        authorization: 'Bearer foobar',
        cookie: 'a=b',
      },
    });
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.json(), {
      user: 'demo',
      headers: {
        'x-auth-user': 'demo',
        'x-forwarded-prefix': '/pybackend',
        'x-forwarded-for': '10.0.0.1',
        'x-forwarded-host': 'localhost:8000',
        'x-forwarded-proto': 'http',
      },
    });
  });

  it('reports oauth2-proxy style user and email headers', async () => {
    const res = await app.inject({
      url: '/whoami',
      headers: { 'x-forwarded-user': 'alice', 'x-forwarded-email': 'alice@example.com' },
    });
    assert.deepEqual(res.json(), {
      user: null,
      headers: { 'x-forwarded-user': 'alice', 'x-forwarded-email': 'alice@example.com' },
    });
  });

  it('reports look-alike names that CGI-style backends would read as identity headers', async () => {
    const res = await app.inject({
      url: '/whoami',
      headers: { 'x-auth-user': 'demo', x_auth_user: 'admin', 'x.forwarded.email': 'a@b', 'x-other': '1' },
    });
    assert.deepEqual(res.json(), {
      user: 'demo',
      headers: { 'x-auth-user': 'demo' },
      aliases: { x_auth_user: 'admin', 'x.forwarded.email': 'a@b' },
    });
  });
});
