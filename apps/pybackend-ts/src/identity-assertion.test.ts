/**
 * pybackend-ts checking forward-auth's signed identity: every route but `GET /` refuses a request without a valid
 * assertion, `/whoami` shows the verified claims, and `/admission` passes the assertion on to the model service.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  refusedAssertions,
  startTestAssertionIssuer,
  type TestAssertionIssuer,
} from '@gateway-pattern/identity-assertion/testing';
import type { Service } from '@gateway-pattern/service-kit';
import { buildApp } from './app.ts';
import { type ModelServiceStub, startModelServiceStub } from './testing/model-service-stub.ts';

let issuer: TestAssertionIssuer;
let stub: ModelServiceStub;
let app: Service;

before(async () => {
  issuer = await startTestAssertionIssuer();
  stub = await startModelServiceStub();
  app = buildApp({
    logLevel: false,
    appPrefix: 'Python Backend',
    modelServiceUrl: stub.url,
    upstreamTimeoutMs: 5000,
    identityAssertion: { jwksUrl: issuer.jwksUrl, issuer: issuer.issuer, audiences: ['pybackend-ts'] },
  });
});
after(async () => {
  await app.close();
  await stub.close();
  await issuer.close();
});

const forBoth = (identity: { sub: string; roles: string[]; email?: string }) =>
  issuer.signer.sign(identity, ['pybackend-ts', 'model-service']);

describe('identity assertions required', () => {
  it('refuses every route but / without one, whatever X-Auth-User says', async () => {
    for (const [method, url] of [
      ['GET', '/whoami'],
      ['GET', '/foobar'],
      ['POST', '/admission'],
    ] as const) {
      const res = await app.inject({ method, url, headers: { 'x-auth-user': 'admin' } });
      assert.equal(res.statusCode, 401, `${method} ${url}`);
      assert.deepEqual(res.json(), { detail: 'Missing identity assertion' });
    }
    assert.equal(stub.received.length, 0);
    assert.deepEqual((await app.inject('/')).json(), { title: 'Python Backend API' });
  });

  it('refuses expired, misaddressed, foreign and forged assertions with 401 naming why', async () => {
    for (const { name, token, reason } of await refusedAssertions(issuer, 'pybackend-ts')) {
      const res = await app.inject({ url: '/whoami', headers: { 'x-auth-assertion': token } });
      assert.equal(res.statusCode, 401, name);
      assert.match(res.json<{ detail: string }>().detail, reason, name);
    }
  });

  it('shows the verified claims at /whoami', async () => {
    const token = await forBoth({ sub: 'alice', roles: ['reader'], email: 'alice@example.com' });
    const res = await app.inject({
      url: '/whoami',
      headers: {
        'x-auth-assertion': token,
        'x-auth-user': 'alice',
        'x-auth-email': 'alice@example.com',
        'x-auth-roles': 'reader',
      },
    });
    assert.equal(res.statusCode, 200, res.body);
    const body = res.json<{
      user: string;
      headers: Record<string, string>;
      assertion: Record<string, unknown>;
    }>();
    assert.equal(body.user, 'alice');
    assert.equal(body.headers['x-auth-user'], 'alice');
    assert.equal(body.assertion.sub, 'alice');
    assert.equal(body.assertion.email, 'alice@example.com');
    assert.deepEqual(body.assertion.roles, ['reader']);
    assert.deepEqual(body.assertion.aud, ['pybackend-ts', 'model-service']);
    assert.equal(body.assertion.iss, issuer.issuer);
    assert.deepEqual(Object.keys(body.assertion).sort(), [
      'aud',
      'email',
      'exp',
      'iat',
      'iss',
      'jti',
      'roles',
      'sub',
    ]);
  });

  it('refuses a valid assertion paired with another user name', async () => {
    const res = await app.inject({
      url: '/whoami',
      headers: { 'x-auth-assertion': await forBoth({ sub: 'bob', roles: [] }), 'x-auth-user': 'alice' },
    });
    assert.equal(res.statusCode, 401);
    assert.deepEqual(res.json(), { detail: 'Invalid identity assertion: x-auth-user does not match it' });
  });

  it('passes the assertion on to the model service with /admission', async () => {
    stub.received.length = 0;
    const token = await forBoth({ sub: 'demo', roles: [] });
    const res = await app.inject({
      method: 'POST',
      url: '/admission',
      headers: { 'x-auth-assertion': token, 'content-type': 'application/json' },
      payload: '{"gre": 600}',
    });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(stub.received[0]?.headers['x-auth-assertion'], token);
  });
});
