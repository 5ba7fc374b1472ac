import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { connect } from 'node:tls';
import bcrypt from 'bcryptjs';
import { generate } from 'selfsigned';
import { Agent, request } from 'undici';
import { send, startGateway, startUpstream, type TestGateway, type Upstream } from '../testing/harness.ts';

// The gateway's default certificate is self-signed: this client is told to accept it.
const insecure = new Agent({ connect: { rejectUnauthorized: false } });

async function httpsGet(url: string, headers: Record<string, string> = {}) {
  const response = await request(url, { dispatcher: insecure, headers });
  return { status: response.statusCode, headers: response.headers, body: await response.body.text() };
}

describe('TLS entrypoints, TLS routers and basic auth', () => {
  let app: Upstream;
  let gw: TestGateway;
  let secure: string;

  before(async () => {
    app = await startUpstream((req, res) => res.end(`scored ${req.url}`));
    const hash = bcrypt.hashSync('password1', 4);
    gw = await startGateway({
      static: {
        entryPoints: {
          websecure: {
            address: '127.0.0.1:0',
            http: { tls: {} },
            transport: { lifeCycle: { graceTimeOut: '1s' } },
          },
        },
      },
      files: {
        'bos-rf.yml': `
http:
  routers:
    bos-rf:
      rule: PathPrefix(\`/bos-rf\`)
      entryPoints: [websecure, web]
      middlewares: [auth, strip]
      service: app
      tls: {}
    bos-rf-http:
      rule: PathPrefix(\`/bos-rf\`)
      entryPoints: [web]
      middlewares: [to-https]
      service: app
  middlewares:
    auth:
      basicAuth:
        users: ['user1:${hash}']
        realm: bos-rf
    strip:
      stripPrefix:
        prefixes: [/bos-rf]
    to-https:
      redirectScheme:
        scheme: https
        port: '4443'
  services:
    app:
      loadBalancer:
        servers:
          - url: ${app.url}
`,
      },
    });
    secure = gw.gateway.url('websecure');
  });

  after(async () => {
    await gw.close();
    await app.close();
    await insecure.close();
  });

  it('serves HTTPS with a generated certificate for localhost', async () => {
    assert.match(secure, /^https:\/\/127\.0\.0\.1:\d+$/);
    const { port } = new URL(secure);
    const socket = connect({
      host: '127.0.0.1',
      port: Number(port),
      servername: 'localhost',
      rejectUnauthorized: false,
    });
    await new Promise((resolve) => socket.once('secureConnect', resolve));
    const certificate = new X509Certificate(socket.getPeerCertificate(true).raw);
    socket.destroy();
    assert.equal(certificate.checkHost('localhost'), 'localhost');
    assert.equal(certificate.checkIP('127.0.0.1'), '127.0.0.1');
  });

  it('lets valid basic-auth credentials through to the service, prefix stripped', async () => {
    const authorization = `Basic ${Buffer.from('user1:password1').toString('base64')}`;
    const reply = await httpsGet(`${secure}/bos-rf/score`, { authorization });
    assert.equal(reply.status, 200);
    assert.equal(reply.body, 'scored /score');
  });

  it('answers 401 with the realm without credentials or with a wrong password', async () => {
    const none = await httpsGet(`${secure}/bos-rf/score`);
    assert.equal(none.status, 401);
    assert.equal(none.headers['www-authenticate'], 'Basic realm="bos-rf"');
    const wrong = await httpsGet(`${secure}/bos-rf/score`, {
      authorization: `Basic ${Buffer.from('user1:nope').toString('base64')}`,
    });
    assert.equal(wrong.status, 401);
  });

  it('redirects plain HTTP to HTTPS, and never serves the TLS router there', async () => {
    const reply = await send(`${gw.web}/bos-rf/score?x=1`);
    assert.equal(reply.status, 302);
    assert.equal(reply.headers.location, 'https://127.0.0.1:4443/bos-rf/score?x=1');
    const router = (await send(`${gw.admin}/api/http/routers/bos-rf@file`)).json<{
      using: string[];
      error?: string[];
    }>();
    assert.deepEqual(router.using, ['websecure']);
    assert.match(router.error?.join(' ') ?? '', /entryPoint "web" does not serve TLS/);
  });
});

describe('certificates from the dynamic configuration', () => {
  let gw: TestGateway;
  let dir: string;

  /** The subject alternative names of the certificate served to `servername`. */
  async function servedNames(servername: string): Promise<string> {
    const { port } = new URL(gw.gateway.url('websecure'));
    const socket = connect({ host: '127.0.0.1', port: Number(port), servername, rejectUnauthorized: false });
    await new Promise((resolve) => socket.once('secureConnect', resolve));
    const names = new X509Certificate(socket.getPeerCertificate(true).raw).subjectAltName ?? '';
    socket.destroy();
    return names;
  }

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gateway-certs-'));
    const pems = await generate([{ name: 'commonName', value: 'api.example.test' }], {
      keyType: 'ec',
      curve: 'P-256',
      extensions: [{ name: 'subjectAltName', altNames: [{ type: 2, value: 'api.example.test' }] }],
    });
    await writeFile(join(dir, 'api.crt'), pems.cert);
    await writeFile(join(dir, 'api.key'), pems.private);
    gw = await startGateway({
      static: { entryPoints: { websecure: { address: '127.0.0.1:0', http: { tls: {} } } } },
      files: {
        'tls.yml': `tls:\n  certificates:\n    - certFile: ${join(dir, 'api.crt')}\n      keyFile: ${join(dir, 'api.key')}\n`,
      },
    });
  });

  after(async () => {
    await gw.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('serves the configured certificate to its name and the generated one to others', async () => {
    assert.equal(await servedNames('api.example.test'), 'DNS:api.example.test');
    assert.match(await servedNames('localhost'), /^DNS:localhost, IP Address:127\.0\.0\.1/);
  });

  it('makes a configured certificate the default on reload', async () => {
    const reloaded = gw.gateway.nextReload();
    await gw.write(
      'tls.yml',
      `tls:\n  stores:\n    default:\n      defaultCertificate:\n        certFile: ${join(dir, 'api.crt')}\n        keyFile: ${join(dir, 'api.key')}\n`,
    );
    await reloaded;
    assert.equal(await servedNames('localhost'), 'DNS:api.example.test');
  });
});
