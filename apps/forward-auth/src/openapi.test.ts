/**
 * forward-auth describes itself: `/openapi.json` lists `/auth` (with the identity headers of its answer), the key
 * set and the login routes, with login on and off, and the schemas added for the document change no answer.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import type { Service } from '@gateway-pattern/service-kit';
import { checkOpenApi } from '@gateway-pattern/service-kit/testing';
import { buildApp } from './app.ts';
import { testLoginConfig } from './testing/login-config.ts';

const withLogin = buildApp({
  logLevel: false,
  staticTokens: [{ token: 'foobar', principal: 'demo' }],
  // Never reached: the document is made without the provider.
  login: testLoginConfig('http://127.0.0.1:9', { scope: 'openid', cookieKeys: [Buffer.alloc(32, 3)] }),
  oidc: { timeoutSeconds: 1, retryAfterMs: 10 },
});
const withoutLogin = buildApp({ logLevel: false, staticTokens: [] });
after(async () => {
  await withLogin.close();
  await withoutLogin.close();
});

const auth = async (app: Service) => (await checkOpenApi(app)).paths['/auth'];

describe('OpenAPI document', () => {
  it('lists every route with its schemas and error answers, with login on, and validates as OpenAPI 3.1', async () => {
    const document = await checkOpenApi(withLogin);
    assert.deepEqual(Object.keys(document.paths).sort(), [
      '/',
      '/.well-known/jwks.json',
      '/auth',
      '/oauth2/callback',
      '/oauth2/sign_out',
      '/oauth2/signed_out',
      '/oauth2/start',
    ]);
    const get = (await auth(withLogin))?.get as {
      responses: Record<string, { headers?: object }>;
      parameters: Array<{ in: string; name: string }>;
    };
    assert.deepEqual(Object.keys(get.responses['200']?.headers ?? {}), [
      'X-Auth-User',
      'X-Auth-Email',
      'X-Auth-Roles',
      'X-Auth-Client',
      'X-Auth-Assertion',
    ]);
    assert.deepEqual(Object.keys(get.responses).sort(), [
      '200',
      '302',
      '401',
      '403',
      '422',
      '4XX',
      '500',
      '503',
    ]);
    assert.ok(get.parameters.some((p) => p.in === 'header' && p.name === 'x-forwarded-uri'));
  });

  it('lists /oauth2/* as off when login is', async () => {
    const document = await checkOpenApi(withoutLogin);
    assert.ok(document.paths['/oauth2/{*}']?.get);
    assert.equal(document.paths['/oauth2/start'], undefined);
  });

  it('answers /auth and the key set as before: its own checks, not the documented schemas', async () => {
    const ok = await withLogin.inject({
      url: '/auth?aud=pybackend-ts',
      headers: { authorization: 'Bearer foobar' },
    });
    assert.equal(ok.statusCode, 200);
    assert.deepEqual(ok.json(), { status: 'ok' });
    assert.equal(ok.headers['x-auth-user'], 'demo');
    assert.ok(ok.headers['x-auth-assertion']);
    const tooMany = await withLogin.inject(`/auth?${'aud=a&'.repeat(9)}`);
    assert.equal(tooMany.statusCode, 500);
    const keys = (await withLogin.inject('/.well-known/jwks.json')).json<{
      keys: Array<Record<string, string>>;
    }>();
    assert.deepEqual(Object.keys(keys.keys[0] ?? {}).sort(), ['alg', 'crv', 'kid', 'kty', 'use', 'x', 'y']);
  });
});
