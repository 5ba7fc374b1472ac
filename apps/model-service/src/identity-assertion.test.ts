/**
 * model-service checking forward-auth's signed identity: the admission routes (reached through forwardAuth at
 * `/rbackend`, and relayed by pybackend-ts) require it; `/` and scoring (reached at `/bos-rf` behind basicAuth,
 * which signs nothing) take one when it comes and are served without.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  refusedAssertions,
  startTestAssertionIssuer,
  type TestAssertionIssuer,
} from '@gateway-pattern/identity-assertion/testing';
import type { Service } from '@gateway-pattern/service-kit';
import { bostonRecords } from './forest/testing.ts';
import { testApp } from './testing/app.ts';

let issuer: TestAssertionIssuer;
let app: Service;

before(async () => {
  issuer = await startTestAssertionIssuer();
  app = testApp({
    identityAssertion: { jwksUrl: issuer.jwksUrl, issuer: issuer.issuer, audiences: ['model-service'] },
  });
});
after(async () => {
  await app.close();
  await issuer.close();
});

const admission = (headers: Record<string, string> = {}) =>
  app.inject({ method: 'POST', url: '/admission', headers, payload: { gre: 600, rank: '1' } });

describe('identity assertions on the model service', () => {
  it('refuses the admission routes without one, whatever X-Auth-User says', async () => {
    const res = await admission({ 'x-auth-user': 'admin' });
    assert.equal(res.statusCode, 401);
    assert.deepEqual(res.json(), { detail: 'Missing identity assertion' });
    assert.equal((await app.inject('/admission/model')).statusCode, 401);
  });

  it('refuses expired, misaddressed, foreign and forged assertions', async () => {
    for (const { name, token, reason } of await refusedAssertions(issuer, 'model-service')) {
      const res = await admission({ 'x-auth-assertion': token });
      assert.equal(res.statusCode, 401, name);
      assert.match(res.json<{ detail: string }>().detail, reason, name);
    }
  });

  it("serves one addressed to it alone, or to pybackend-ts and it (pybackend-ts's relay)", async () => {
    for (const audiences of [['model-service'], ['pybackend-ts', 'model-service']]) {
      const token = await issuer.signer.sign({ sub: 'demo', roles: [] }, audiences);
      const res = await admission({ 'x-auth-assertion': token });
      assert.equal(res.statusCode, 200, res.body);
    }
    const onlyPybackend = await issuer.signer.sign({ sub: 'demo', roles: [] }, ['pybackend-ts']);
    assert.equal((await admission({ 'x-auth-assertion': onlyPybackend })).statusCode, 401);
  });

  it('serves /, /score and /score/model without one (basicAuth at /bos-rf signs nothing), never with a bad one', async () => {
    const score = (headers: Record<string, string>) =>
      app.inject({ method: 'POST', url: '/score', headers, payload: { df: bostonRecords(1) } });
    assert.equal((await app.inject('/')).statusCode, 200);
    assert.equal((await score({})).statusCode, 200);
    assert.equal((await app.inject('/score/model')).statusCode, 200);
    const forged = { 'x-auth-assertion': 'forged' };
    assert.equal((await score(forged)).statusCode, 401);
    assert.equal((await app.inject({ url: '/score/model', headers: forged })).statusCode, 401);
    const valid = {
      'x-auth-assertion': await issuer.signer.sign({ sub: 'demo', roles: [] }, ['model-service']),
    };
    assert.equal((await score(valid)).statusCode, 200);
  });
});
