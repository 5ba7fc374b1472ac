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

describe('entrypoint aliasHeadersStrategy', () => {
  let app: Upstream;
  const gateways: Record<string, TestGateway> = {};

  before(async () => {
    app = await startUpstream((req, res) => res.end(JSON.stringify(Object.keys(req.headers).sort())));
    for (const strategy of ['keep', 'delete', 'reject']) {
      gateways[strategy] = await startGateway({
        files: { 'routes.yml': routes(app.url) },
        static: { entryPoints: { web: { http: { aliasHeadersStrategy: strategy } } } },
      });
    }
  });

  after(async () => {
    for (const gateway of Object.values(gateways)) await gateway.close();
    await app.close();
  });

  it('keep forwards headers whose names alias others, as Traefik does by default', async () => {
    const seen = (await send(`${gateways.keep?.web}/`, { headers: aliases })).json<string[]>();
    assert.ok(seen.includes('x_auth_user') && seen.includes('x.auth.user'), seen.join(' '));
  });

  it('delete removes them and keeps the rest', async () => {
    const seen = (await send(`${gateways.delete?.web}/`, { headers: aliases })).json<string[]>();
    assert.ok(!seen.includes('x_auth_user') && !seen.includes('x.auth.user'), seen.join(' '));
    assert.ok(seen.includes('x-request-id'));
  });

  it('reject answers 400 to a request that carries one', async () => {
    const refused = await send(`${gateways.reject?.web}/`, { headers: { X_Auth_User: 'admin' } });
    assert.equal(refused.status, 400);
    const fine = await send(`${gateways.reject?.web}/`, { headers: { 'X-Auth-User': 'x' } });
    assert.equal(fine.status, 200);
  });

  it('refuses an unknown strategy in the static configuration', async () => {
    await assert.rejects(
      startGateway({
        files: {},
        static: { entryPoints: { web: { http: { aliasHeadersStrategy: 'drop' } } } },
      }),
      /aliasHeadersStrategy/,
    );
  });
});
