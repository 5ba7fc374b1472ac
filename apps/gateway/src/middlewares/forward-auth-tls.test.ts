/**
 * forwardAuth.tls against a real HTTPS auth server signed by a throwaway CA: the CA from a file or inline
 * verifies it, an unknown CA fails closed with 500 (as an unreachable auth server, Traefik's status for any
 * failed call), insecureSkipVerify accepts it, cert and key are offered for mTLS, a cert without its key
 * disables the middleware, and a reload that fixes the CA takes effect.
 */

import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { TLSSocket } from 'node:tls';
import {
  eventually,
  send,
  startGateway,
  startUpstream,
  type TestGateway,
  type Upstream,
} from '../testing/harness.ts';
import { createTestCa } from '../testing/test-pki.ts';

describe('forwardAuth.tls', { timeout: 30_000 }, () => {
  let dir: string;
  let auth: Server;
  let authUrl: string;
  let backend: Upstream;
  let gw: TestGateway;
  let calls = 0;

  const config = (caOfTrusted: string) => {
    const mw = (name: string, tls: string) =>
      `    ${name}:\n      forwardAuth:\n        address: ${authUrl}/auth\n        authResponseHeaders: [X-Auth-User]\n${tls ? `        tls:\n${tls}` : ''}`;
    const names = ['trusted', 'inline', 'system', 'rogue', 'skip', 'mtls', 'halfpair'];
    const routers = names
      .map(
        (n) =>
          `    ${n}:\n      rule: "PathPrefix(\`/${n}\`)"\n      middlewares: [${n}]\n      service: backend\n`,
      )
      .join('');
    return `http:
  routers:
${routers}  services:
    backend:
      loadBalancer:
        servers: [{url: "${backend.url}"}]
  middlewares:
${mw('trusted', `          ca: ${caOfTrusted}\n`)}
${mw('inline', `          ca: ${JSON.stringify(inlineCa)}\n`)}
${mw('system', '')}
${mw('rogue', `          ca: ${join(dir, 'rogue.pem')}\n`)}
${mw('skip', '          insecureSkipVerify: true\n')}
${mw('mtls', `          ca: ${join(dir, 'ca.pem')}\n          cert: ${join(dir, 'client.crt')}\n          key: ${join(dir, 'client.key')}\n`)}
${mw('halfpair', `          ca: ${join(dir, 'ca.pem')}\n          cert: ${join(dir, 'client.crt')}\n`)}
`;
  };
  let inlineCa = '';

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gateway-forward-auth-tls-'));
    const ca = await createTestCa('auth servers CA');
    const rogue = await createTestCa('some other CA');
    const clients = await createTestCa('gateway clients CA');
    const serverPair = await ca.server({ ips: ['127.0.0.1'] });
    const clientPair = await clients.client('gateway');
    inlineCa = ca.cert;
    await writeFile(join(dir, 'ca.pem'), ca.cert);
    await writeFile(join(dir, 'rogue.pem'), rogue.cert);
    await writeFile(join(dir, 'client.crt'), clientPair.cert);
    await writeFile(join(dir, 'client.key'), clientPair.key);
    // Asks for a client certificate without requiring one, and says who it verified.
    auth = createServer(
      { ...serverPair, ca: clients.cert, requestCert: true, rejectUnauthorized: false },
      (req, res) => {
        calls++;
        const socket = req.socket as TLSSocket;
        const peer = socket.authorized ? socket.getPeerCertificate() : undefined;
        res.writeHead(200, { 'x-auth-user': (peer?.subject?.CN as string | undefined) ?? 'anonymous' });
        res.end();
      },
    );
    auth.listen(0, '127.0.0.1');
    await once(auth, 'listening');
    authUrl = `https://127.0.0.1:${(auth.address() as { port: number }).port}`;
    backend = await startUpstream();
    gw = await startGateway({ files: { 'auth.yml': config(join(dir, 'rogue.pem')) } });
  });

  after(async () => {
    await gw?.close();
    await backend?.close();
    auth?.closeAllConnections();
    await new Promise((resolve) => auth?.close(resolve));
    await rm(dir, { recursive: true, force: true });
  });

  const userSeen = (reply: { json<T>(): T }) =>
    reply.json<{ headers: Record<string, string> }>().headers['x-auth-user'];

  it('verifies the auth server with the CA given as a file or inline', async () => {
    const reply = await send(`${gw.web}/inline`);
    assert.equal(reply.status, 200);
    assert.equal(userSeen(reply), 'anonymous');
  });

  it('fails closed with 500 when the auth server certificate is not trusted', async () => {
    const before = backend.received.length;
    const seenBefore = calls;
    for (const path of ['/system', '/rogue', '/trusted']) {
      const reply = await send(`${gw.web}${path}`);
      assert.equal(reply.status, 500, path);
      assert.equal(reply.body, '');
    }
    assert.equal(backend.received.length, before, 'the backend is never called');
    assert.equal(calls, seenBefore, 'no request reached the auth server');
  });

  it('accepts any certificate with insecureSkipVerify', async () => {
    assert.equal((await send(`${gw.web}/skip`)).status, 200);
  });

  it('offers cert and key as a client certificate (mTLS)', async () => {
    const reply = await send(`${gw.web}/mtls`);
    assert.equal(reply.status, 200);
    assert.equal(userSeen(reply), 'gateway');
  });

  it('disables a middleware whose cert has no key, naming the reason', async () => {
    assert.equal((await send(`${gw.web}/halfpair`)).status, 404);
    const routers = await send(`${gw.admin}/api/http/middlewares`);
    const entry = routers
      .json<{ name: string; error?: string[] }[]>()
      .find((m) => m.name === 'halfpair@file');
    assert.match(entry?.error?.join() ?? '', /forwardAuth\.tls: both cert and key must be defined/);
  });

  it('takes a corrected CA on reload', async () => {
    await gw.write('auth.yml', config(join(dir, 'ca.pem')));
    await eventually(async () => (await send(`${gw.web}/trusted`)).status === 200);
    assert.equal((await send(`${gw.web}/rogue`)).status, 500);
  });
});
