import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createRemoteJWKSet, decodeProtectedHeader, type JWTPayload, jwtVerify } from 'jose';
import { type RunningIdentity, startIdentity } from './test-support.ts';

let identity: RunningIdentity;
before(async () => {
  identity = await startIdentity();
});
after(() => identity.close());

const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;

async function token(form: Record<string, string>, authorization?: string): Promise<Response> {
  return fetch(`${identity.url}/token`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      ...(authorization ? { authorization } : {}),
    },
    body: new URLSearchParams(form).toString(),
  });
}

async function accessToken(form: Record<string, string>, authorization?: string): Promise<string> {
  const res = await token(form, authorization);
  const body = (await res.json()) as { access_token?: string };
  assert.equal(res.status, 200, JSON.stringify(body));
  assert.equal(typeof body.access_token, 'string');
  return body.access_token as string;
}

async function verify(jwt: string): Promise<JWTPayload> {
  const jwks = createRemoteJWKSet(new URL(`${identity.url}/jwks`));
  const { payload } = await jwtVerify(jwt, jwks, {
    issuer: identity.url,
    audience: 'api://adder',
    algorithms: ['RS256'],
    typ: 'at+jwt',
    requiredClaims: ['exp', 'iat', 'jti'],
  });
  return payload;
}

describe('discovery and keys', () => {
  it('publishes the OpenID configuration with the issuer and its endpoints', async () => {
    const res = await fetch(`${identity.url}/.well-known/openid-configuration`);
    assert.equal(res.status, 200);
    const doc = (await res.json()) as Record<string, unknown>;
    assert.equal(doc.issuer, identity.url);
    assert.equal(doc.authorization_endpoint, `${identity.url}/auth`);
    assert.equal(doc.token_endpoint, `${identity.url}/token`);
    assert.equal(doc.jwks_uri, `${identity.url}/jwks`);
    assert.equal(doc.userinfo_endpoint, `${identity.url}/me`);
    assert.equal(doc.end_session_endpoint, `${identity.url}/session/end`);
    assert.deepEqual(doc.code_challenge_methods_supported, ['S256']);
    assert.deepEqual(doc.response_types_supported, ['code']);
    assert.deepEqual(doc.token_endpoint_auth_methods_supported, [
      'client_secret_basic',
      'client_secret_post',
    ]);
    assert.ok((doc.grant_types_supported as string[]).includes('client_credentials'));
    assert.deepEqual(doc.scopes_supported, ['openid', 'offline_access', 'profile', 'email', 'roles']);
  });

  it('serves the JWKS with public parts only', async () => {
    const res = await fetch(`${identity.url}/jwks`);
    assert.equal(res.status, 200);
    const { keys } = (await res.json()) as { keys: Record<string, unknown>[] };
    assert.equal(keys.length, 1);
    const [key] = keys;
    assert.deepEqual(Object.keys(key ?? {}).sort(), ['alg', 'e', 'kid', 'kty', 'n', 'use']);
    assert.equal(key?.alg, 'RS256');
    assert.equal(key?.use, 'sig');
  });

  it('answers health and unknown paths in JSON', async () => {
    const health = await fetch(`${identity.url}/healthz`);
    assert.deepEqual(await health.json(), { status: 'ok' });
    const missing = await fetch(`${identity.url}/no/such/path`);
    assert.equal(missing.status, 404);
    assert.deepEqual(await missing.json(), { detail: 'Not Found' });
  });
});

describe('client credentials', () => {
  it('issues a JWT for the resource with aud, azp, roles, iss and exp', async () => {
    const jwt = await accessToken(
      { grant_type: 'client_credentials', resource: 'api://adder' },
      basic('adder-cli', 'adder-cli-secret'),
    );
    const header = decodeProtectedHeader(jwt);
    assert.equal(header.alg, 'RS256');
    assert.equal(header.typ, 'at+jwt');
    assert.equal(typeof header.kid, 'string');
    const claims = await verify(jwt);
    assert.equal(claims.iss, identity.url);
    assert.equal(claims.aud, 'api://adder');
    assert.equal(claims.azp, 'adder-cli');
    assert.equal(claims.client_id, 'adder-cli');
    assert.equal(claims.sub, 'adder-cli');
    assert.deepEqual(claims.roles, ['invokeRole']);
    const lifetime = (claims.exp ?? 0) - (claims.iat ?? 0);
    assert.equal(lifetime, 600);
  });

  it('answers the full token response: Bearer, expires_in, no refresh token', async () => {
    const res = await token(
      { grant_type: 'client_credentials', resource: 'api://adder' },
      basic('adder-cli', 'adder-cli-secret'),
    );
    const body = (await res.json()) as Record<string, unknown>;
    assert.equal(res.headers.get('cache-control'), 'no-store');
    assert.equal(body.token_type, 'Bearer');
    assert.equal(body.expires_in, 600);
    assert.equal(body.refresh_token, undefined);
  });

  it("accepts the seed's Azure-style request: credentials in the form, scope=<resource>/.default, audience ignored", async () => {
    const jwt = await accessToken({
      grant_type: 'client_credentials',
      client_id: 'adder-cli',
      client_secret: 'adder-cli-secret',
      audience: 'api://adder',
      scope: 'api://adder/.default',
    });
    const claims = await verify(jwt);
    assert.equal(claims.aud, 'api://adder');
    assert.equal(claims.azp, 'adder-cli');
    assert.equal(claims.scope, 'api://adder/.default');
    assert.deepEqual(claims.roles, ['invokeRole']);
  });

  it('gives a client without app roles a token without roles', async () => {
    const jwt = await accessToken(
      { grant_type: 'client_credentials', resource: 'api://adder' },
      basic('no-role-client', 'no-role-secret'),
    );
    const claims = await verify(jwt);
    assert.equal(claims.azp, 'no-role-client');
    assert.equal(claims.roles, undefined);
  });

  it('refuses a wrong secret with 401 invalid_client', async () => {
    const res = await token(
      { grant_type: 'client_credentials', resource: 'api://adder' },
      basic('adder-cli', 'wrong'),
    );
    assert.equal(res.status, 401);
    assert.equal(((await res.json()) as { error: string }).error, 'invalid_client');
    const unknown = await token(
      { grant_type: 'client_credentials', resource: 'api://adder' },
      basic('nobody', 'x'),
    );
    assert.equal(unknown.status, 401);
  });

  it('refuses an unknown resource with 400 invalid_target', async () => {
    for (const form of [{ resource: 'api://unknown' }, { scope: 'api://unknown/.default' }] as Record<
      string,
      string
    >[]) {
      const res = await token(
        { grant_type: 'client_credentials', ...form },
        basic('adder-cli', 'adder-cli-secret'),
      );
      assert.equal(res.status, 400, JSON.stringify(form));
      assert.equal(((await res.json()) as { error: string }).error, 'invalid_target');
    }
  });

  it('refuses a request naming no resource, or two, with 400 invalid_target (no opaque token)', async () => {
    for (const form of [
      {},
      { scope: 'api://adder/.default api://other/.default' },
      { scope: 'openid' },
    ] as Record<string, string>[]) {
      const res = await token(
        { grant_type: 'client_credentials', ...form },
        basic('adder-cli', 'adder-cli-secret'),
      );
      const body = (await res.json()) as { error: string; error_description: string };
      assert.equal(res.status, 400, JSON.stringify(form));
      assert.equal(body.error, 'invalid_target');
    }
  });

  it('refuses client credentials to a client registered for the authorization code only', async () => {
    const res = await token(
      { grant_type: 'client_credentials', resource: 'api://adder' },
      basic('forward-auth', 'forward-auth-secret'),
    );
    assert.equal(res.status, 400);
    assert.deepEqual(await res.json(), {
      error: 'invalid_request',
      error_description: 'requested grant type is not allowed for this client',
    });
  });
});
