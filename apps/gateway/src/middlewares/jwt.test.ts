import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { base64url, type JWTPayload, SignJWT, UnsecuredJWT } from 'jose';
import {
  closedPort,
  eventually,
  type Received,
  send,
  startGateway,
  startUpstream,
  type TestGateway,
  type Upstream,
} from '../testing/harness.ts';
import { startIssuer, type TestIssuer, type TestKey } from '../testing/test-issuer.ts';

describe('jwt (plugin): client-credentials access tokens validated at the gateway', () => {
  let issuer: TestIssuer;
  let k1: TestKey;
  let backend: Upstream;
  let gw: TestGateway;
  let config: (role: string) => string;

  const now = () => Math.floor(Date.now() / 1000);
  /** The claims of a good token for the adder, as the local identity provider issues them. */
  const good: JWTPayload = {
    aud: 'api://adder',
    sub: 'load-client',
    azp: 'load-client',
    client_id: 'load-client',
    roles: ['invokeRole'],
    scope: 'add read',
  };

  before(async () => {
    issuer = await startIssuer();
    k1 = await issuer.addKey('k1');
    backend = await startUpstream();
    const down = await closedPort();
    const plugin = (name: string, options: string) =>
      `    ${name}:\n      plugin:\n        jwt:\n${options
        .trim()
        .split('\n')
        .map((line) => `          ${line.trim()}`)
        .join('\n')}\n`;
    const router = (name: string) =>
      `    ${name}:\n      rule: PathPrefix(\`/${name}\`)\n      middlewares: [${name}]\n      service: backend\n`;
    config = (role) => `http:
  middlewares:
${plugin(
  'add',
  `issuer: ${issuer.url}
   audiences: ['api://adder']
   requiredClaims: {roles: {anyOf: [${role}]}}
   claimHeaders: {client: azp}
   typ: at+jwt`,
)}
${plugin(
  'stripped',
  `issuer: ${issuer.url}
   jwksUrl: ${issuer.jwksUrl}?stripped
   audiences: ['api://other', 'api://adder']
   clockTolerance: 30s
   forwardAuthorization: false
   claimHeaders: {X-Roles: roles, X-Scope: scope, X-Tenant: tid, X-Client: azp}
   realm: adder`,
)}
${plugin(
  'scoped',
  `issuer: ${issuer.url}
   jwksUrl: ${issuer.jwksUrl}?scoped
   audiences: ['api://adder']
   requiredClaims: {scope: {allOf: [add, read]}}`,
)}
${plugin(
  'rotating',
  `issuer: ${issuer.url}
   jwksUrl: ${issuer.jwksUrl}?rotating
   audiences: ['api://adder']
   cooldown: 1s`,
)}
${plugin(
  'late',
  `issuer: ${issuer.url}
   jwksUrl: ${issuer.jwksUrl}?late
   audiences: ['api://adder']`,
)}
${plugin(
  'down',
  `issuer: http://127.0.0.1:${down}
   audiences: ['api://adder']`,
)}
  routers:
${['add', 'stripped', 'scoped', 'rotating', 'late', 'down'].map(router).join('')}
  services:
    backend:
      loadBalancer:
        servers: [{url: "${backend.url}"}]
`;
    gw = await startGateway({ files: { 'jwt.yml': config('invokeRole') } });
  });

  after(async () => {
    await gw.close();
    await backend.close();
    await issuer.close();
  });

  /** Sends a request and returns what the backend received for it. */
  const through = async (path: string, headers: Record<string, string | string[]> = {}) => {
    const before = backend.received.length;
    const reply = await send(`${gw.web}${path}`, { headers });
    return { reply, backend: backend.received.slice(before) as Received[] };
  };
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

  /** Asserts a 401 invalid_token with this description, and that the backend was not called. */
  const assertInvalid = async (path: string, token: string, description: string) => {
    const { reply, backend: seen } = await through(path, bearer(token));
    assert.equal(reply.status, 401, `${description}: ${reply.body}`);
    const realm = path === '/stripped' ? 'realm="adder", ' : '';
    assert.equal(
      reply.headers['www-authenticate'],
      `Bearer ${realm}error="invalid_token", error_description="${description}"`,
    );
    assert.equal(reply.headers['content-type'], 'application/json');
    assert.deepEqual(reply.json(), { detail: `Invalid token: ${description}` });
    assert.equal(seen.length, 0, 'the backend is never called');
  };

  it('lets a valid token through, sets client from azp, forwards Authorization, logs sub', async () => {
    const token = await issuer.sign(good);
    const { reply, backend: seen } = await through('/add/10/10', bearer(token));
    assert.equal(reply.status, 200);
    assert.equal(seen.length, 1);
    assert.equal(seen[0]?.url, '/add/10/10');
    assert.equal(seen[0]?.headers.client, 'load-client');
    assert.equal(seen[0]?.headers.authorization, `Bearer ${token}`);
    await eventually(() => gw.access.some((line) => line.RequestPath === '/add/10/10'));
    const line = gw.access.find((l) => l.RequestPath === '/add/10/10');
    assert.equal(line?.ClientUsername, 'load-client');
    assert.equal(line?.DownstreamStatus, 200);
  });

  it('fetches discovery once, then the JWKS, and serves later tokens from the cache', async () => {
    const before = issuer.requests.length;
    for (let i = 0; i < 3; i++) {
      assert.equal((await through('/add/1/2', bearer(await issuer.sign(good)))).reply.status, 200);
    }
    assert.equal(issuer.requests.length, before, 'no fetch for known keys');
    assert.deepEqual(
      issuer.requests.filter((path) => !path.includes('?')),
      ['/.well-known/openid-configuration', '/jwks'],
    );
  });

  it('replaces a spoofed client header with the claim, and removes it when the claim is absent', async () => {
    const spoofed = await through('/add/1/1', {
      ...bearer(await issuer.sign(good)),
      client: 'admin-app',
    });
    assert.equal(spoofed.reply.status, 200);
    assert.equal(spoofed.backend[0]?.headers.client, 'load-client');
    assert.equal(spoofed.backend[0]?.rawHeaders.filter((h) => h.toLowerCase() === 'client').length, 1);

    const { azp: _azp, ...withoutAzp } = good;
    const absent = await through('/add/1/1', {
      ...bearer(await issuer.sign(withoutAzp)),
      Client: 'admin-app',
    });
    assert.equal(absent.reply.status, 200);
    assert.equal(absent.backend[0]?.headers.client, undefined);
  });

  it('answers 401 with a bare Bearer challenge when no bearer token is sent', async () => {
    const attempts: Record<string, string>[] = [
      {},
      { authorization: 'Basic dXNlcjpwYXNz' },
      { authorization: 'Bearer' },
    ];
    for (const headers of attempts) {
      const { reply, backend: seen } = await through('/add/1/1', { ...headers, client: 'admin-app' });
      assert.equal(reply.status, 401);
      assert.equal(reply.headers['www-authenticate'], 'Bearer');
      assert.equal(reply.headers['content-type'], 'application/json');
      assert.deepEqual(reply.json(), { detail: 'Not authenticated' });
      assert.equal(seen.length, 0);
    }
  });

  it('refuses alg none and HS256 signed with the public key (algorithm confusion)', async () => {
    const claims = { ...good, iss: issuer.url, exp: now() + 300 };
    const none = new UnsecuredJWT(claims).encode();
    await assertInvalid('/add/1/1', none, 'the signing algorithm is not allowed');
    // The published key's PEM used as an HMAC secret: a verifier that let the token pick would accept it.
    const hs256 = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'HS256', typ: 'at+jwt', kid: 'k1' })
      .sign(new TextEncoder().encode(k1.spki));
    await assertInvalid('/add/1/1', hs256, 'the signing algorithm is not allowed');
  });

  it('refuses expired, not yet valid, and exp-less tokens', async () => {
    await assertInvalid(
      '/add/1/1',
      await issuer.sign({ ...good, iat: now() - 600, exp: now() - 60 }),
      'the token has expired',
    );
    await assertInvalid(
      '/add/1/1',
      await issuer.sign({ ...good, nbf: now() + 600 }),
      'the token is not valid yet',
    );
    const noExp = await new SignJWT({ ...good, iss: issuer.url })
      .setProtectedHeader({ alg: 'RS256', typ: 'at+jwt', kid: 'k1' })
      .sign(k1.privateKey);
    await assertInvalid('/add/1/1', noExp, 'the token has no exp claim');
  });

  it('clockTolerance accepts a token expired within it', async () => {
    const recent = await issuer.sign({ ...good, iat: now() - 600, exp: now() - 10 });
    assert.equal((await through('/stripped', bearer(recent))).reply.status, 200);
    await assertInvalid('/add/1/1', recent, 'the token has expired');
  });

  it('refuses a wrong issuer, a wrong audience, a token for another resource, a wrong typ', async () => {
    await assertInvalid(
      '/add/1/1',
      await issuer.sign({ ...good, iss: 'http://127.0.0.1:1' }),
      'unexpected issuer',
    );
    await assertInvalid(
      '/add/1/1',
      await issuer.sign({ ...good, aud: 'api://other' }),
      'unexpected audience',
    );
    await assertInvalid(
      '/add/1/1',
      await issuer.sign({ ...good, aud: ['api://pybackend', 'api://model'] }),
      'unexpected audience',
    );
    await assertInvalid(
      '/add/1/1',
      await issuer.sign(good, { header: { typ: 'JWT' } }),
      'unexpected token type',
    );
  });

  it('refuses a tampered payload, a foreign key using a published kid, and malformed tokens', async () => {
    const token = await issuer.sign({ ...good, roles: [] });
    const [header, , signature] = token.split('.');
    const tampered = `${header}.${base64url.encode(JSON.stringify({ ...good, iss: issuer.url, exp: now() + 300 }))}.${signature}`;
    await assertInvalid('/add/1/1', tampered, 'the signature does not verify');

    // The attacker's own key, published nowhere, claiming the issuer's kid.
    const foreign = await startIssuer();
    await foreign.addKey('k1');
    await assertInvalid(
      '/add/1/1',
      await foreign.sign({ ...good, iss: issuer.url }),
      'the signature does not verify',
    );
    await foreign.close();

    await assertInvalid('/add/1/1', 'not.a.jwt', 'the token is malformed');
    await assertInvalid('/add/1/1', 'two words', 'the bearer token is malformed');
  });

  it('answers 403 insufficient_scope when the required role or scope is missing', async () => {
    for (const roles of [undefined, [], ['readRole'], 'invokeRoleX']) {
      const { reply, backend: seen } = await through(
        '/add/1/1',
        bearer(await issuer.sign({ ...good, roles })),
      );
      assert.equal(reply.status, 403, JSON.stringify(roles));
      assert.equal(
        reply.headers['www-authenticate'],
        'Bearer error="insufficient_scope", error_description="the roles claim does not hold a required value"',
      );
      assert.deepEqual(reply.json(), {
        detail: 'Insufficient scope: the roles claim does not hold a required value',
      });
      assert.equal(seen.length, 0);
    }
    // A space-separated string claim holds each of its words (OAuth's scope).
    assert.equal(
      (await through('/add/1/1', bearer(await issuer.sign({ ...good, roles: 'a invokeRole' })))).reply.status,
      200,
    );
    assert.equal((await through('/scoped', bearer(await issuer.sign(good)))).reply.status, 200);
    assert.equal(
      (await through('/scoped', bearer(await issuer.sign({ ...good, scope: 'add' })))).reply.status,
      403,
    );
    assert.equal(
      (await through('/scoped', bearer(await issuer.sign({ ...good, scope: ['read', 'add'] })))).reply.status,
      200,
    );
  });

  it('refuses several Authorization headers with 400 invalid_request', async () => {
    const token = await issuer.sign(good);
    const { reply, backend: seen } = await through('/add/1/1', {
      authorization: [`Bearer ${token}`, 'Bearer other'],
    });
    assert.equal(reply.status, 400);
    assert.match(String(reply.headers['www-authenticate']), /^Bearer error="invalid_request"/);
    assert.equal(seen.length, 0);
  });

  it('forwardAuthorization: false strips Authorization; claims become headers (arrays comma-joined)', async () => {
    const { reply, backend: seen } = await through('/stripped', {
      ...bearer(await issuer.sign({ ...good, roles: ['invokeRole', 'readRole'] })),
      'x-tenant': 'forged',
    });
    assert.equal(reply.status, 200);
    assert.equal(seen[0]?.headers.authorization, undefined);
    assert.equal(seen[0]?.headers['x-roles'], 'invokeRole,readRole');
    assert.equal(seen[0]?.headers['x-scope'], 'add read');
    assert.equal(seen[0]?.headers['x-tenant'], undefined, 'no tid claim: the forged header is gone');
    assert.equal(seen[0]?.headers['x-client'], 'load-client');
  });

  it('a realm, when configured, leads the challenge', async () => {
    const { reply } = await through('/stripped');
    assert.equal(reply.headers['www-authenticate'], 'Bearer realm="adder"');
  });

  it('refuses a claim that would inject a header (CR/LF) with 401, and never calls the backend', async () => {
    await assertInvalid(
      '/stripped',
      await issuer.sign({ ...good, azp: 'app\r\nX-Admin: true' }),
      'the azp claim holds characters a header cannot carry',
    );
    await assertInvalid(
      '/add/1/1',
      await issuer.sign({ ...good, azp: 'app\nclient: admin' }),
      'the azp claim holds characters a header cannot carry',
    );
  });

  it('refuses an unknown kid, and accepts the rotated key once published (after the cooldown)', async () => {
    const fetches = () => issuer.requests.filter((path) => path === '/jwks?rotating').length;
    // Made first: generating an RSA key may take longer than the cooldown on a busy machine.
    await issuer.addKey('k2', { publish: false });
    const rotated = await issuer.sign(good, { kid: 'k2' });
    const current = await issuer.sign(good);
    assert.equal((await through('/rotating', bearer(current))).reply.status, 200);
    assert.equal(fetches(), 1);

    // Within the cooldown an unknown kid does not make the gateway fetch again.
    await assertInvalid('/rotating', rotated, 'no published key matches the token');
    assert.equal(fetches(), 1);

    issuer.publish('k2');
    await assertInvalid('/rotating', rotated, 'no published key matches the token');
    assert.equal(fetches(), 1, 'still cooling down');
    await new Promise((resolve) => setTimeout(resolve, 1_050));
    assert.equal((await through('/rotating', bearer(rotated))).reply.status, 200);
    assert.equal(fetches(), 2);
    // The old key still works while it is published.
    assert.equal(
      (await through('/rotating', bearer(await issuer.sign(good, { kid: 'k1' })))).reply.status,
      200,
    );
  });

  it('uses a verified token again only while it has not expired and the key set is the one it was checked with', async () => {
    // Expiry: remembered tokens are refused once exp passes (this middleware has no clockTolerance).
    const shortLived = await issuer.sign({ ...good, exp: now() + 2 });
    assert.equal((await through('/rotating', bearer(shortLived))).reply.status, 200);
    assert.equal((await through('/rotating', bearer(shortLived))).reply.status, 200);
    await new Promise((resolve) => setTimeout(resolve, 2_100));
    await assertInvalid('/rotating', shortLived, 'the token has expired');

    // Key set: a key withdrawn by the issuer stops the tokens it signed as soon as the gateway fetches the set again.
    await issuer.addKey('k3');
    await issuer.addKey('k4', { publish: false });
    await new Promise((resolve) => setTimeout(resolve, 1_050));
    const withK3 = await issuer.sign(good, { kid: 'k3' });
    assert.equal((await through('/rotating', bearer(withK3))).reply.status, 200);
    assert.equal((await through('/rotating', bearer(withK3))).reply.status, 200);
    issuer.unpublish('k3');
    await new Promise((resolve) => setTimeout(resolve, 1_050));
    // An unknown kid makes the gateway fetch the key set again (past the cooldown); k3 is no longer in it.
    await assertInvalid(
      '/rotating',
      await issuer.sign(good, { kid: 'k4' }),
      'no published key matches the token',
    );
    await assertInvalid('/rotating', withK3, 'no published key matches the token');
  });

  it('answers 503 when the issuer is unreachable and no keys are cached; the backend is never called', async () => {
    const { reply, backend: seen } = await through('/down', bearer(await issuer.sign(good)));
    assert.equal(reply.status, 503);
    assert.equal(reply.headers['retry-after'], '1');
    assert.equal(reply.headers['content-type'], 'application/json');
    assert.deepEqual(reply.json(), {
      detail: "Service unavailable: the token issuer's keys cannot be fetched",
    });
    assert.equal(reply.headers['www-authenticate'], undefined);
    assert.equal(seen.length, 0);
    const logged = gw.logs.find((l) => l.middleware === 'down@file');
    assert.equal(logged?.level, 'error');
    assert.match(
      String((logged?.err as { message?: unknown } | undefined)?.message),
      /cannot get the discovery document/,
    );
    // Without a token the answer is still 401: nothing needs the keys.
    assert.equal((await through('/down')).reply.status, 401);
  });

  it('retries the issuer on the first request after a failure, not on every request', async () => {
    const fetches = () => issuer.requests.filter((path) => path === '/jwks?late').length;
    const token = await issuer.sign(good);
    issuer.setDown(true);
    try {
      assert.equal((await through('/late', bearer(token))).reply.status, 503);
      assert.equal(fetches(), 1);
      issuer.setDown(false);
      const { reply, backend: seen } = await through('/late', bearer(token));
      assert.equal(reply.status, 503, 'the failure is remembered for a second');
      assert.equal(seen.length, 0);
      assert.equal(fetches(), 1);
      await new Promise((resolve) => setTimeout(resolve, 1_050));
      assert.equal((await through('/late', bearer(token))).reply.status, 200);
      assert.equal(fetches(), 2);
    } finally {
      issuer.setDown(false);
    }
  });

  it('shows in the API as a plugin: type jwt, config under plugin.jwt with defaults', async () => {
    const info = (await send(`${gw.admin}/api/http/middlewares/add@file`)).json<Record<string, unknown>>();
    assert.equal(info.type, 'jwt');
    assert.equal(info.status, 'enabled');
    const options = (info.plugin as { jwt: Record<string, unknown> }).jwt;
    assert.deepEqual(options.algorithms, ['RS256']);
    assert.equal(options.forwardAuthorization, true);
    assert.deepEqual(info.usedBy, ['add@file']);
  });

  it('hot-reloads its options, keeps the fetched keys across the reload, and disables a bad config', async () => {
    const token = await issuer.sign(good);
    assert.equal((await through('/add/2/2', bearer(token))).reply.status, 200);
    const fetched = issuer.requests.length;

    await gw.write('jwt.yml', config('adminRole'));
    await eventually(async () => (await through('/add/2/2', bearer(token))).reply.status === 403);
    assert.equal(issuer.requests.length, fetched, 'keys and discovery survive the reload');

    await gw.write(
      'jwt.yml',
      config('invokeRole').replace('typ: at+jwt', 'typ: at+jwt\n          algorithm: RS256'),
    );
    await eventually(async () => (await through('/add/2/2', bearer(token))).reply.status === 404);
    const info = (await send(`${gw.admin}/api/http/middlewares/add@file`)).json<Record<string, unknown>>();
    assert.equal(info.status, 'disabled');
    assert.deepEqual(info.error, ['middlewares.add.plugin.jwt.algorithm: unknown field']);

    await gw.write('jwt.yml', config('invokeRole'));
    await eventually(async () => (await through('/add/2/2', bearer(token))).reply.status === 200);
  });
});
