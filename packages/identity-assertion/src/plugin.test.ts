import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createService, type Service } from '@gateway-pattern/service-kit';
import { requireIdentityAssertions } from './plugin.ts';
import { startTestAssertionIssuer, type TestAssertionIssuer } from './testing.ts';
import { AssertionVerifier } from './verifier.ts';

let issuer: TestAssertionIssuer;
let app: Service;
const calls: string[] = [];

before(async () => {
  issuer = await startTestAssertionIssuer();
  app = createService({ name: 'test', logLevel: false });
  requireIdentityAssertions(
    app,
    new AssertionVerifier({ jwksUrl: issuer.jwksUrl, issuer: issuer.issuer, audiences: ['backend'] }),
  );
  app.get('/', { config: { identityAssertion: 'optional' } }, async (request) => {
    calls.push('/');
    return { assertion: request.identityAssertion };
  });
  app.register(async (scope) => {
    scope.post('/private', async (request) => {
      calls.push('/private');
      return { assertion: request.identityAssertion };
    });
  });
});
after(async () => {
  await app.close();
  await issuer.close();
});

const sign = (identity: { sub: string; roles: string[]; email?: string; client?: string }) =>
  issuer.signer.sign(identity, ['backend']);

describe('requireIdentityAssertions', () => {
  it('refuses a request without an assertion with 401 before the route (and its body) is touched', async () => {
    calls.length = 0;
    const res = await app.inject({
      method: 'POST',
      url: '/private',
      headers: { 'x-auth-user': 'admin', 'content-type': 'application/json' },
      payload: '{not json',
    });
    assert.equal(res.statusCode, 401);
    assert.deepEqual(res.json(), { detail: 'Missing identity assertion' });
    assert.deepEqual(calls, []);
  });

  it('serves a valid assertion, in routes of child plugins too, and hands the claims to the route', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/private',
      headers: { 'x-auth-assertion': await sign({ sub: 'demo', roles: [] }), 'x-auth-user': 'demo' },
    });
    assert.equal(res.statusCode, 200);
    const { assertion } = res.json<{ assertion: Record<string, unknown> }>();
    assert.equal(assertion.sub, 'demo');
    assert.equal(assertion.aud, 'backend');
  });

  it('refuses identity headers that disagree with the assertion, and accepts them absent', async () => {
    const token = await sign({ sub: 'alice', roles: ['reader', 'writer'], email: 'alice@example.com' });
    const post = (headers: Record<string, string>) =>
      app.inject({ method: 'POST', url: '/private', headers: { 'x-auth-assertion': token, ...headers } });
    const mismatches: Record<string, string>[] = [
      { 'x-auth-user': 'admin' },
      { 'x-auth-email': 'admin@example.com' },
      { 'x-auth-roles': 'reader,writer,admin' },
      { 'x-auth-client': 'alice' },
    ];
    for (const headers of mismatches) {
      const res = await post(headers);
      assert.equal(res.statusCode, 401, JSON.stringify(headers));
      assert.match(
        res.json<{ detail: string }>().detail,
        /^Invalid identity assertion: x-auth-\w+ does not match it$/,
      );
    }
    const agreeing = {
      'x-auth-user': 'alice',
      'x-auth-email': 'alice@example.com',
      'x-auth-roles': 'reader,writer',
    };
    assert.equal((await post(agreeing)).statusCode, 200);
    assert.equal((await post({})).statusCode, 200, 'a relay may send the assertion alone');
  });

  it('serves an optional route without an assertion, and still refuses an invalid one there', async () => {
    const bare = await app.inject('/');
    assert.equal(bare.statusCode, 200);
    assert.deepEqual(bare.json(), { assertion: null });
    const forged = await app.inject({ url: '/', headers: { 'x-auth-assertion': 'forged' } });
    assert.equal(forged.statusCode, 401);
    assert.deepEqual(forged.json(), { detail: 'Invalid identity assertion: malformed' });
  });

  it('refuses an unknown path without an assertion rather than telling what exists', async () => {
    assert.equal((await app.inject('/nowhere')).statusCode, 401);
    const res = await app.inject({
      url: '/nowhere',
      headers: { 'x-auth-assertion': await sign({ sub: 'demo', roles: [] }) },
    });
    assert.equal(res.statusCode, 404);
  });
});
