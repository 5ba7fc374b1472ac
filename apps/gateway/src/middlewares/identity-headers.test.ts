import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import {
  type Received,
  sendWithNodeClient,
  startGateway,
  startUpstream,
  type TestGateway,
  type Upstream,
} from '../testing/harness.ts';
import { startIssuer, type TestIssuer } from '../testing/test-issuer.ts';

// `Connection: X-Auth-User` names a header of the client's own hop. A proxy drops the headers so named
// (RFC 9110 §7.6.1), but the X-Auth-User the backend gets was set by an auth middleware, not sent by the
// client: stripping it would hand the backend an authenticated request without its identity.

describe('identity headers set by auth middlewares survive Connection-listed removal', () => {
  let auth: Upstream;
  let backend: Upstream;
  let issuer: TestIssuer;
  let gw: TestGateway;

  before(async () => {
    auth = await startUpstream((_req, res) => {
      res.writeHead(200, { 'x-auth-user': 'alice', 'x-auth-roles': 'reader' });
      res.end();
    });
    backend = await startUpstream();
    issuer = await startIssuer();
    await issuer.addKey('k1');
    const sha = `{SHA}${createHash('sha1').update('secret').digest('base64')}`;
    gw = await startGateway({
      files: {
        'identity.yml': `http:
  routers:
    fa: {rule: "PathPrefix(\`/fa\`)", middlewares: [fa], service: backend}
    basic: {rule: "PathPrefix(\`/basic\`)", middlewares: [basic], service: backend}
    jwt: {rule: "PathPrefix(\`/jwt\`)", middlewares: [jwt], service: backend}
  middlewares:
    fa:
      forwardAuth:
        address: ${auth.url}/auth
        authResponseHeaders: [X-Auth-User]
        authResponseHeadersRegex: ^X-Auth-Roles$
    basic:
      basicAuth:
        users: ['bob:${sha}']
        headerField: X-Auth-User
    jwt:
      plugin:
        jwt:
          issuer: ${issuer.url}
          jwksUrl: ${issuer.jwksUrl}
          audiences: [api://test]
          claimHeaders: {X-Auth-User: sub}
  services:
    backend:
      loadBalancer:
        servers: [{url: ${backend.url}}]
`,
      },
    });
  });

  after(async () => {
    await gw.close();
    await auth.close();
    await backend.close();
    await issuer.close();
  });

  /** Sends through the gateway with the given headers; returns what the backend received. */
  const through = async (path: string, headers: Record<string, string>): Promise<Received> => {
    const before = backend.received.length;
    const reply = await sendWithNodeClient(`${gw.web}${path}`, headers);
    assert.equal(reply.status, 200, reply.body);
    const seen = backend.received[before];
    assert.ok(seen, 'the backend was called');
    return seen;
  };

  for (const connection of ['X-Auth-User', 'keep-alive, x-auth-user', 'close, X-Auth-User, X-Auth-Roles']) {
    it(`forwardAuth's authResponseHeaders(Regex) reach the backend with Connection: ${connection}`, async () => {
      const seen = await through('/fa', { connection, 'x-auth-user': 'mallory' });
      assert.equal(seen.headers['x-auth-user'], 'alice');
      assert.equal(seen.headers['x-auth-roles'], 'reader');
    });
  }

  it("basicAuth's headerField reaches the backend with Connection: X-Auth-User", async () => {
    const seen = await through('/basic', {
      connection: 'X-Auth-User',
      authorization: `Basic ${Buffer.from('bob:secret').toString('base64')}`,
      'x-auth-user': 'mallory',
    });
    assert.equal(seen.headers['x-auth-user'], 'bob');
  });

  it("the jwt middleware's claimHeaders reach the backend with Connection: X-Auth-User", async () => {
    const token = await issuer.sign({ aud: 'api://test', sub: 'carol' });
    const seen = await through('/jwt', {
      connection: 'X-Auth-User',
      authorization: `Bearer ${token}`,
    });
    assert.equal(seen.headers['x-auth-user'], 'carol');
  });

  it('still drops the headers the client itself listed in Connection, and Connection', async () => {
    const seen = await through('/fa', { connection: 'close, X-Private', 'x-private': 'hop only' });
    assert.equal(seen.headers['x-private'], undefined);
    assert.equal(seen.headers['x-auth-user'], 'alice');
    assert.notEqual(seen.headers.connection, 'close, X-Private');
  });
});
