/**
 * digestAuth through a real gateway with an RFC 2617 client written here, and Traefik's digest_auth_test.go
 * cases as facts: users `test:traefik:a2688e03...` (password test) and `test2:traefik:51884580...` (test2), a
 * users file merged with inline users (inline wins), the realm choosing among a user's entries, a bad entry
 * disabling the middleware, Basic credentials refused.
 */

import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  eventually,
  send,
  startGateway,
  startUpstream,
  type TestGateway,
  type Upstream,
} from '../testing/harness.ts';
import { digestParams } from './digest-auth.ts';

const md5 = (text: string) => createHash('md5').update(text).digest('hex');

/** What a client answers to a challenge (qop=auth, MD5). */
function authorization(
  challenge: string,
  user: string,
  password: string,
  {
    method = 'GET',
    uri = '/',
    nc = 1,
    realm,
  }: { method?: string; uri?: string; nc?: number; realm?: string } = {},
): string {
  const params = digestParams(challenge);
  assert.ok(params, `not a Digest challenge: ${challenge}`);
  const nonce = params.get('nonce') ?? '';
  const count = nc.toString(16).padStart(8, '0');
  const cnonce = randomBytes(8).toString('hex');
  const ha1 = md5(`${user}:${realm ?? params.get('realm')}:${password}`);
  const response = md5([ha1, nonce, count, cnonce, 'auth', md5(`${method}:${uri}`)].join(':'));
  return `Digest username="${user}", realm="${params.get('realm')}", nonce="${nonce}", uri="${uri}", algorithm=MD5, qop=auth, nc=${count}, cnonce="${cnonce}", response="${response}", opaque="${params.get('opaque')}"`;
}

describe('digestAuth', () => {
  let dir: string;
  let backend: Upstream;
  let gw: TestGateway;

  const config = (extra = '') => `
http:
  middlewares:
    digest:
      digestAuth:
        users: ["test:traefik:a2688e031edb4be6a3797f3882655c05"]
    merged:
      digestAuth:
        usersFile: ${join(dir, 'users')}
        users: ["test2:traefik:8de60a1c52da68ccf41f0c0ffb7c51a0", "test3:traefik:c8e9f57ce58ecb4424407f665a91646c"]
        headerField: X-WebAuth-User
        removeHeader: true
    other-realm:
      digestAuth:
        usersFile: ${join(dir, 'users')}
        realm: traefiker
    broken:
      digestAuth:
        users: ["test"]
${extra}
  routers:
${['digest', 'merged', 'other-realm', 'broken'].map((name) => `    ${name}:\n      rule: PathPrefix(\`/${name}\`)\n      middlewares: [${name}]\n      service: backend\n`).join('')}
  services:
    backend:
      loadBalancer:
        servers: [{ url: "${backend.url}" }]
`;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gateway-digest-'));
    // test/test and test2/test2 in realm traefik, test/test2 in realm traefiker.
    await writeFile(
      join(dir, 'users'),
      'test:traefik:a2688e031edb4be6a3797f3882655c05\ntest2:traefik:518845800f9e2bfb1f1f740ec24f074e\ntest:traefiker:a3d334dff2645b914918de78bec50bf4\n',
    );
    backend = await startUpstream();
    gw = await startGateway({ files: { 'digest.yml': config() } });
  });

  after(async () => {
    await gw?.close();
    await backend?.close();
    await rm(dir, { recursive: true, force: true });
  });

  /** The challenge, then the answered request. */
  async function login(path: string, user: string, password: string, options: { realm?: string } = {}) {
    const first = await send(`${gw.web}${path}`);
    const challenge = String(first.headers['www-authenticate']);
    return send(`${gw.web}${path}`, {
      headers: { authorization: authorization(challenge, user, password, { uri: path, ...options }) },
    });
  }

  it('challenges with 401, a fresh nonce, the opaque value, MD5 and qop=auth', async () => {
    const first = await send(`${gw.web}/digest`);
    assert.equal(first.status, 401);
    assert.equal(first.body, '401 Unauthorized\n');
    assert.equal(first.headers['content-type'], 'text/plain');
    const challenge = String(first.headers['www-authenticate']);
    assert.match(
      challenge,
      /^Digest realm="traefik", nonce="[^"]+", opaque="[^"]+", algorithm="MD5", qop="auth"$/,
    );
    const second = String((await send(`${gw.web}/digest`)).headers['www-authenticate']);
    assert.notEqual(digestParams(second)?.get('nonce'), digestParams(challenge)?.get('nonce'));
    assert.equal(digestParams(second)?.get('opaque'), digestParams(challenge)?.get('opaque'));
    assert.equal(backend.received.length, 0);
  });

  it('lets the right password through and refuses a wrong one, or Basic credentials', async () => {
    const ok = await login('/digest', 'test', 'test');
    assert.equal(ok.status, 200);
    assert.equal(ok.json<{ url: string }>().url, '/digest');
    assert.equal((await login('/digest', 'test', 'wrong')).status, 401);
    assert.equal((await login('/digest', 'foo', 'foo')).status, 401);
    const basic = `Basic ${Buffer.from('test:test').toString('base64')}`;
    assert.equal((await send(`${gw.web}/digest`, { headers: { authorization: basic } })).status, 401);
  });

  it('merges usersFile and users, inline entries winning; headerField and removeHeader', async () => {
    for (const [user, password] of [
      ['test', 'test'],
      ['test2', 'overridden'],
      ['test3', 'test3'],
    ] as const) {
      const reply = await login('/merged', user, password);
      assert.equal(reply.status, 200, user);
      const headers = reply.json<{ headers: Record<string, string> }>().headers;
      assert.equal(headers['x-webauth-user'], user);
      assert.equal(headers.authorization, undefined);
    }
    assert.equal((await login('/merged', 'test2', 'test2')).status, 401);
  });

  it("matches only the users of the middleware's realm", async () => {
    assert.equal((await login('/other-realm', 'test', 'test2')).status, 200);
    assert.equal((await login('/other-realm', 'test', 'test', { realm: 'traefik' })).status, 401);
  });

  it('answers a replayed nonce count, or a nonce it never issued, with stale=true', async () => {
    const challenge = String((await send(`${gw.web}/digest`)).headers['www-authenticate']);
    const header = authorization(challenge, 'test', 'test', { uri: '/digest', nc: 1 });
    assert.equal((await send(`${gw.web}/digest`, { headers: { authorization: header } })).status, 200);
    const replay = await send(`${gw.web}/digest`, { headers: { authorization: header } });
    assert.equal(replay.status, 401);
    assert.match(String(replay.headers['www-authenticate']), /, stale=true$/);
    const next = authorization(challenge, 'test', 'test', { uri: '/digest', nc: 2 });
    assert.equal((await send(`${gw.web}/digest`, { headers: { authorization: next } })).status, 200);
    const forged = challenge.replace(/nonce="[^"]+"/, 'nonce="bm90IGlzc3VlZA=="');
    const unknown = await send(`${gw.web}/digest`, {
      headers: { authorization: authorization(forged, 'test', 'test', { uri: '/digest' }) },
    });
    assert.equal(unknown.status, 401);
    assert.match(String(unknown.headers['www-authenticate']), /stale=true/);
  });

  it('refuses a uri for another path', async () => {
    const challenge = String((await send(`${gw.web}/digest`)).headers['www-authenticate']);
    const header = authorization(challenge, 'test', 'test', { uri: '/elsewhere' });
    assert.equal((await send(`${gw.web}/digest`, { headers: { authorization: header } })).status, 401);
  });

  it('disables a middleware with a malformed user entry, naming it', async () => {
    assert.equal((await send(`${gw.web}/broken`)).status, 404);
    const list = (await send(`${gw.admin}/api/http/middlewares`)).json<
      { name: string; error?: string[] }[]
    >();
    const entry = list.find((m) => m.name === 'broken@file');
    assert.match(entry?.error?.join() ?? '', /digestAuth\.users: an entry must be "name:realm:hash"/);
  });

  it('forgets its nonces when rebuilt by a reload: the old nonce is stale', async () => {
    const challenge = String((await send(`${gw.web}/digest`)).headers['www-authenticate']);
    await gw.write('digest.yml', config('    unrelated:\n      contentType: {}'));
    await eventually(async () => {
      const list = (await send(`${gw.admin}/api/http/middlewares`)).json<{ name: string }[]>();
      return list.some((m) => m.name === 'unrelated@file');
    });
    const header = authorization(challenge, 'test', 'test', { uri: '/digest' });
    const reply = await send(`${gw.web}/digest`, { headers: { authorization: header } });
    assert.equal(reply.status, 401);
    assert.equal((await login('/digest', 'test', 'test')).status, 200);
  });
});
