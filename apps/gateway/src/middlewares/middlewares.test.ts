import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import bcrypt from 'bcryptjs';
import { send, startGateway, startUpstream, type TestGateway, type Upstream } from '../testing/harness.ts';

const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

describe('stripPrefix, headers, chain, basicAuth, redirectScheme', () => {
  let backend: Upstream;
  let gw: TestGateway;

  before(async () => {
    backend = await startUpstream((req, res) => {
      res.writeHead(200, {
        'content-type': 'application/json',
        'x-backend': 'yes',
        'x-powered-by': 'node',
        'set-cookie': ['a=1', 'b=2'],
      });
      res.end(JSON.stringify({ url: req.url, headers: req.headers }));
    });
    gw = await startGateway({ files: {} });
    const usersFile = join(gw.dir, 'users.htpasswd');
    await writeFile(
      usersFile,
      `# demo users\n\nbob:${bcrypt.hashSync('builder', 4).replace('$2b$', '$2y$')}\n`,
    );
    await gw.write(
      'mw.yml',
      `http:
  middlewares:
    strip-py:
      stripPrefix:
        prefixes: [/nomatch, /pybackend]
    set-headers:
      headers:
        customRequestHeaders:
          X-Script-Name: test
          User-Agent: ""
          Host: rewritten.example
        customResponseHeaders:
          X-Powered-By: ""
          X-Frame: gateway
        frameDeny: true
        contentTypeNosniff: true
    tag-outer:
      headers:
        customRequestHeaders: {X-Order: outer}
        customResponseHeaders: {X-Order: outer}
    tag-inner:
      headers:
        customRequestHeaders: {X-Order: inner}
        customResponseHeaders: {X-Order: inner}
    ordered:
      chain:
        middlewares: [tag-outer, tag-inner]
    loop-a:
      chain: {middlewares: [loop-b]}
    loop-b:
      chain: {middlewares: [loop-a]}
    users:
      basicAuth:
        users: ["alice:{SHA}5en6G6MezRroT3XKqkdPOmY/BfQ="]
        usersFile: ${usersFile}
        realm: demo
        removeHeader: true
        headerField: X-WebAuth-User
    to-https:
      redirectScheme:
        scheme: https
        port: "8443"
    to-https-permanent:
      redirectScheme: {scheme: https, permanent: true}
    no-xff:
      headers:
        customRequestHeaders: {X-Forwarded-For: ""}
  routers:
    py:
      rule: PathPrefix(\`/pybackend\`)
      middlewares: [strip-py]
      service: backend
    headers:
      rule: PathPrefix(\`/headers\`)
      middlewares: [set-headers]
      service: backend
    chain:
      rule: PathPrefix(\`/chain\`)
      middlewares: [ordered]
      service: backend
    loop:
      rule: PathPrefix(\`/loop\`)
      middlewares: [loop-a]
      service: backend
    basic:
      rule: PathPrefix(\`/basic\`)
      middlewares: [users]
      service: backend
    redirect:
      rule: PathPrefix(\`/secure\`)
      middlewares: [to-https]
      service: backend
    redirect-permanent:
      rule: PathPrefix(\`/moved\`)
      middlewares: [to-https-permanent]
      service: backend
    no-xff:
      rule: PathPrefix(\`/no-xff\`)
      middlewares: [no-xff]
      service: backend
  services:
    backend:
      loadBalancer:
        servers: [{url: "${backend.url}"}]
`,
    );
    await gw.gateway.reload();
  });

  after(async () => {
    await gw.close();
    await backend.close();
  });

  type Seen = { url: string; headers: Record<string, string | undefined> };

  it('stripPrefix: /pybackend → /, /pybackend/foobar → /foobar, X-Forwarded-Prefix added', async () => {
    const root = (await send(`${gw.web}/pybackend`)).json<Seen>();
    assert.equal(root.url, '/');
    assert.equal(root.headers['x-forwarded-prefix'], '/pybackend');
    const sub = (await send(`${gw.web}/pybackend/foobar?x=1`)).json<Seen>();
    assert.equal(sub.url, '/foobar?x=1');
    assert.equal(sub.headers['x-forwarded-prefix'], '/pybackend');
    // A plain string prefix, no segment boundary, and a leading slash ensured.
    assert.equal((await send(`${gw.web}/pybackendfoo`)).json<Seen>().url, '/foo');
    assert.equal((await send(`${gw.web}/pybackend%3Aenc`)).json<Seen>().url, '/%3Aenc');
  });

  it('headers: sets and removes request and response headers, Host included', async () => {
    const reply = await send(`${gw.web}/headers`, { headers: { 'user-agent': 'test-client' } });
    const seen = reply.json<Seen>();
    assert.equal(seen.headers['x-script-name'], 'test');
    assert.equal(seen.headers['user-agent'], undefined);
    assert.equal(seen.headers.host, 'rewritten.example');
    assert.equal(reply.headers['x-powered-by'], undefined);
    assert.equal(reply.headers['x-frame'], 'gateway');
    assert.equal(reply.headers['x-backend'], 'yes');
    assert.equal(reply.headers['x-frame-options'], 'DENY');
    assert.equal(reply.headers['x-content-type-options'], 'nosniff');
    assert.deepEqual(reply.headers['set-cookie'], ['a=1', 'b=2']);
  });

  it('headers: X-Forwarded-For "" stops the proxy from adding one', async () => {
    const seen = (await send(`${gw.web}/no-xff`)).json<Seen>();
    assert.equal(seen.headers['x-forwarded-for'], undefined);
  });

  it('chain: the first middleware sees the request first and the response last', async () => {
    const reply = await send(`${gw.web}/chain`);
    assert.equal(reply.json<Seen>().headers['x-order'], 'inner', 'inner sets the request header last');
    assert.equal(reply.headers['x-order'], 'outer', 'outer edits the response last');
  });

  it('chain: a cycle disables the router with a clear error', async () => {
    assert.equal((await send(`${gw.web}/loop`)).status, 404);
    const router = (await send(`${gw.admin}/api/http/routers/loop@file`)).json<{ error: string[] }>();
    assert.match(router.error.join(), /recursion detected/);
  });

  it('basicAuth: 401 with the realm without valid credentials', async () => {
    for (const authorization of [undefined, basic('alice', 'wrong'), basic('nobody', 'secret'), 'Bearer x']) {
      const reply = await send(`${gw.web}/basic`, { headers: authorization ? { authorization } : {} });
      assert.equal(reply.status, 401);
      assert.equal(reply.body, '401 Unauthorized\n');
      assert.equal(reply.headers['www-authenticate'], 'Basic realm="demo"');
    }
  });

  it('basicAuth: users and usersFile ({SHA}, $2y$ bcrypt), removeHeader and headerField', async () => {
    const alice = (
      await send(`${gw.web}/basic`, { headers: { authorization: basic('alice', 'secret') } })
    ).json<Seen>();
    assert.equal(alice.headers.authorization, undefined);
    assert.equal(alice.headers['x-webauth-user'], 'alice');
    const bob = await send(`${gw.web}/basic`, { headers: { authorization: basic('bob', 'builder') } });
    assert.equal(bob.status, 200);
    const line = gw.access.find((entry) => entry.ClientUsername === 'bob');
    assert.ok(line, 'the user name reaches the access log');
  });

  it('redirectScheme: 302 for GET, 307 for others, 301/308 when permanent, default ports omitted', async () => {
    const get = await send(`${gw.web}/secure/page?q=1`, { headers: { host: 'example.com:8000' } });
    assert.equal(get.status, 302);
    assert.equal(get.headers.location, 'https://example.com:8443/secure/page?q=1');
    const post = await send(`${gw.web}/secure`, { method: 'POST', headers: { host: 'example.com' } });
    assert.equal(post.status, 307);
    const moved = await send(`${gw.web}/moved`, { headers: { host: 'example.com:8000' } });
    assert.equal(moved.status, 301);
    assert.equal(moved.headers.location, 'https://example.com/moved');
    const put = await send(`${gw.web}/moved`, { method: 'PUT', headers: { host: 'example.com' } });
    assert.equal(put.status, 308);
  });
});
