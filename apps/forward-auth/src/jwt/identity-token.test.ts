import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type RunningIdentity, startIdentity } from '@gateway-pattern/identity/src/test-support.ts';
import { buildApp } from '../app.ts';
import type { JwtIssuer } from './issuers.ts';

/** A client-credentials access token from the identity provider, as the adder's load client asks for one. */
async function clientCredentials(identity: RunningIdentity, client: string, secret: string): Promise<string> {
  const res = await fetch(`${identity.url}/token`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `Basic ${Buffer.from(`${client}:${secret}`).toString('base64')}`,
    },
    body: new URLSearchParams({ grant_type: 'client_credentials', scope: 'api://adder/.default' }).toString(),
  });
  const body = (await res.json()) as { access_token?: string };
  assert.equal(res.status, 200, JSON.stringify(body));
  assert.ok(body.access_token);
  return body.access_token;
}

describe('JWT mode with tokens of the identity provider', () => {
  let identity: RunningIdentity;
  let app: ReturnType<typeof buildApp>;
  let issuer: JwtIssuer;
  before(async () => {
    identity = await startIdentity();
    issuer = {
      issuer: identity.url,
      jwksUrl: `${identity.url}/jwks`,
      audiences: ['api://adder'],
      algorithms: ['RS256'],
      clockTolerance: 30,
      requiredClaims: [{ name: 'roles', match: 'any', values: ['invokeRole'] }],
    };
    app = buildApp({ logLevel: false, staticTokens: [], jwtIssuers: [issuer] });
  });
  after(async () => {
    await app.close();
    await identity.close();
  });

  const check = (token: string) =>
    app.inject({ method: 'GET', url: '/auth', headers: { authorization: `Bearer ${token}` } });

  it('accepts the adder client, naming it in X-Auth-User and X-Auth-Client', async () => {
    const res = await check(await clientCredentials(identity, 'adder-cli', 'adder-cli-secret'));
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.headers['x-auth-user'], 'adder-cli');
    assert.equal(res.headers['x-auth-client'], 'adder-cli');
    assert.equal(res.headers['x-auth-roles'], 'invokeRole');
  });

  it('answers 403 insufficient_scope for a client without the role', async () => {
    const res = await check(await clientCredentials(identity, 'no-role-client', 'no-role-secret'));
    assert.equal(res.statusCode, 403, res.body);
    assert.equal(
      res.headers['www-authenticate'],
      'Bearer error="insufficient_scope", error_description="roles must contain invokeRole"',
    );
  });

  it('finds the keys through the provider discovery too, and refuses its tokens for another audience', async () => {
    const discovering = buildApp({
      logLevel: false,
      staticTokens: [],
      jwtIssuers: [{ ...issuer, jwksUrl: null }],
    });
    const token = await clientCredentials(identity, 'adder-cli', 'adder-cli-secret');
    assert.equal(
      (await discovering.inject({ url: '/auth', headers: { authorization: `Bearer ${token}` } })).statusCode,
      200,
    );
    const otherAudience = buildApp({
      logLevel: false,
      staticTokens: [],
      jwtIssuers: [{ ...issuer, audiences: ['api://other'] }],
    });
    const res = await otherAudience.inject({ url: '/auth', headers: { authorization: `Bearer ${token}` } });
    assert.equal(res.statusCode, 401);
    await discovering.close();
    await otherAudience.close();
  });
});
