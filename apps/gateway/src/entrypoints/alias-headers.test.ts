import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  route,
  send,
  startGateway,
  startUpstream,
  type TestGateway,
  type Upstream,
} from '../testing/harness.ts';

const routes = (url: string) => route('app', 'PathPrefix(`/`)', url);

const aliases = { X_Auth_User: 'admin', 'X.Auth.User': 'admin', 'X-Request-Id': 'kept' };

/** The entrypoint `http` settings of each gateway under test. */
const setups: Record<string, Record<string, string>> = {
  keep: { aliasHeadersStrategy: 'keep' },
  delete: { aliasHeadersStrategy: 'delete' },
  reject: { aliasHeadersStrategy: 'reject' },
  'underscore-delete': { underscoreHeadersStrategy: 'delete' },
  'underscore-reject': { underscoreHeadersStrategy: 'reject' },
  'underscore-reject-alias-delete': { underscoreHeadersStrategy: 'reject', aliasHeadersStrategy: 'delete' },
};

describe('entrypoint aliasHeadersStrategy and underscoreHeadersStrategy', () => {
  let app: Upstream;
  const gateways: Record<string, TestGateway> = {};
  const seenBy = async (setup: string, headers: Record<string, string>) =>
    (await send(`${gateways[setup]?.web}/`, { headers })).json<string[]>();

  before(async () => {
    app = await startUpstream((req, res) => res.end(JSON.stringify(Object.keys(req.headers).sort())));
    for (const [name, http] of Object.entries(setups)) {
      gateways[name] = await startGateway({
        files: { 'routes.yml': routes(app.url) },
        static: { entryPoints: { web: { http } } },
      });
    }
  });

  after(async () => {
    for (const gateway of Object.values(gateways)) await gateway.close();
    await app.close();
  });

  it('keep forwards headers whose names alias others, as Traefik does by default', async () => {
    const seen = await seenBy('keep', aliases);
    assert.ok(seen.includes('x_auth_user') && seen.includes('x.auth.user'), seen.join(' '));
  });

  it('aliasHeadersStrategy: delete removes every look-alike and keeps the rest', async () => {
    const seen = await seenBy('delete', { ...aliases, 'X~Auth~User': 'admin' });
    assert.ok(!seen.some((name) => /[^a-z0-9-]/.test(name)), seen.join(' '));
    assert.ok(seen.includes('x-request-id'));
  });

  it('aliasHeadersStrategy: reject answers 400 to a request that carries one', async () => {
    for (const name of ['X_Auth_User', 'X.Auth.User']) {
      const refused = await send(`${gateways.reject?.web}/`, { headers: { [name]: 'admin' } });
      assert.equal(refused.status, 400, name);
    }
    const fine = await send(`${gateways.reject?.web}/`, { headers: { 'X-Auth-User': 'x' } });
    assert.equal(fine.status, 200);
  });

  it("underscoreHeadersStrategy covers underscores only, as Traefik's does", async () => {
    const seen = await seenBy('underscore-delete', aliases);
    assert.ok(!seen.includes('x_auth_user'), seen.join(' '));
    assert.ok(seen.includes('x.auth.user') && seen.includes('x-request-id'), seen.join(' '));

    const refused = await send(`${gateways['underscore-reject']?.web}/`, { headers: { X_Auth_User: 'a' } });
    assert.equal(refused.status, 400);
    const dotted = await send(`${gateways['underscore-reject']?.web}/`, { headers: { 'X.Auth.User': 'a' } });
    assert.equal(dotted.status, 200);
  });

  it('with both set, a reject wins for the names it covers and a delete takes the others', async () => {
    const refused = await send(`${gateways['underscore-reject-alias-delete']?.web}/`, {
      headers: { X_Auth_User: 'admin' },
    });
    assert.equal(refused.status, 400);
    const seen = await seenBy('underscore-reject-alias-delete', {
      'X.Auth.User': 'admin',
      'X-Request-Id': 'k',
    });
    assert.ok(!seen.includes('x.auth.user') && seen.includes('x-request-id'), seen.join(' '));
  });

  it('refuses an unknown strategy in the static configuration', async () => {
    for (const field of ['aliasHeadersStrategy', 'underscoreHeadersStrategy']) {
      await assert.rejects(
        startGateway({ files: {}, static: { entryPoints: { web: { http: { [field]: 'drop' } } } } }),
        new RegExp(`${field}: expected one of keep, delete, reject`),
      );
    }
  });
});
