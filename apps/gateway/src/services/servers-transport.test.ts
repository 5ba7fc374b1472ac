/**
 * serversTransports against real TLS, HTTP/2 and h2c servers: certificate checks (rootCAs from a file or
 * inline, serverName for SNI and the name check, insecureSkipVerify), client certificates for servers that
 * require them, HTTP/2 through ALPN unless disableHTTP2, cleartext HTTP/2 for h2c:// servers, the statuses
 * Traefik gives for each failure, and a transport whose CA changes on reload.
 */

import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer as createHttpServer } from 'node:http';
import {
  createServer as createH2cServer,
  createSecureServer,
  type Http2SecureServer,
  type Http2Server,
  type Http2ServerRequest,
  type Http2ServerResponse,
} from 'node:http2';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import { createServer as createTcpServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { TLSSocket } from 'node:tls';
import { request as undiciRequest } from 'undici';
import { eventually, route, send, startGateway, type TestGateway } from '../testing/harness.ts';
import { createTestCa, type KeyPair, type TestCa } from '../testing/test-pki.ts';

/** What a TLS test server tells about the request it got. */
interface Seen {
  version: string;
  sni: string | false | null;
  host: string;
  client: string | null;
  body: string;
}

async function describeRequest(req: Http2ServerRequest, res: Http2ServerResponse): Promise<void> {
  let body = '';
  for await (const chunk of req) body += chunk;
  const socket = req.socket as unknown as TLSSocket;
  const peer = typeof socket.getPeerCertificate === 'function' ? socket.getPeerCertificate() : undefined;
  const seen: Seen = {
    version: req.httpVersion,
    sni: socket.servername ?? null,
    host: req.headers[':authority'] ?? req.headers.host ?? '',
    client: (peer?.subject?.CN as string | undefined) ?? null,
    body,
  };
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify(seen));
}

const listen = async <T extends Server | HttpsServer | Http2SecureServer | Http2Server>(server: T) => {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return (server.address() as { port: number }).port;
};

/** Open connections a server has accepted, to see pools keep, drop and close them. */
function trackConnections(server: Server | HttpsServer | Http2SecureServer | Http2Server, event: string) {
  const open = new Set<Socket>();
  let total = 0;
  server.on(event, (socket: Socket) => {
    total++;
    open.add(socket);
    socket.on('close', () => open.delete(socket));
  });
  return {
    get open() {
      return open.size;
    },
    get total() {
      return total;
    },
  };
}

describe('serversTransports', { timeout: 20_000 }, () => {
  let dir: string;
  let ca: TestCa;
  let rogue: TestCa;
  let clientPair: KeyPair;
  let backend: Http2SecureServer;
  let mtls: HttpsServer;
  let h2c: Http2Server;
  let silent: Server;
  let backendPort: number;
  let mtlsPort: number;
  let h2cPort: number;
  let silentPort: number;
  let backendConnections: ReturnType<typeof trackConnections>;
  let gw: TestGateway;
  const caFile = () => join(dir, 'ca.pem');

  /** The dynamic file: a router and service per case, `transports` below them. */
  const config = (transports: string) => {
    const cases: [string, string, string | undefined][] = [
      ['untrusted', `https://127.0.0.1:${backendPort}`, undefined],
      ['trusted', `https://127.0.0.1:${backendPort}`, 'ca-file'],
      ['qualified', `https://127.0.0.1:${backendPort}`, 'ca-file@file'],
      ['inline', `https://127.0.0.1:${backendPort}`, 'ca-inline'],
      ['wrongname', `https://127.0.0.1:${backendPort}`, 'no-server-name'],
      ['skip', `https://127.0.0.1:${backendPort}`, 'skip-verify'],
      ['h1', `https://127.0.0.1:${backendPort}`, 'http1-only'],
      ['mtlsnone', `https://127.0.0.1:${mtlsPort}`, 'ca-file'],
      ['mtls', `https://127.0.0.1:${mtlsPort}`, 'client-cert'],
      ['h2c', `h2c://127.0.0.1:${h2cPort}`, undefined],
      ['dial', `https://127.0.0.1:${silentPort}`, 'quick-dial'],
      ['broken', `https://127.0.0.1:${backendPort}`, 'missing-ca'],
      ['refused', `https://127.0.0.1:${backendPort}`, 'spiffe'],
      ['sanuri', `https://127.0.0.1:${backendPort}`, 'san-uri'],
      ['sandns', `https://127.0.0.1:${backendPort}`, 'san-dns'],
      ['sanlegacy', `https://127.0.0.1:${backendPort}`, 'san-legacy-uri'],
      ['sanother', `https://127.0.0.1:${backendPort}`, 'san-other'],
      ['sanuntrusted', `https://127.0.0.1:${backendPort}`, 'san-untrusted'],
    ];
    const routers = cases
      .map(([name]) => `    ${name}:\n      rule: "PathPrefix(\`/${name}\`)"\n      service: ${name}\n`)
      .join('');
    const services = cases
      .map(
        ([name, url, transport]) =>
          `    ${name}:\n      loadBalancer:\n${transport ? `        serversTransport: ${transport}\n` : ''}        servers: [{url: "${url}"}]\n`,
      )
      .join('');
    return `http:\n  routers:\n${routers}  services:\n${services}  serversTransports:\n${transports}`;
  };

  const transports = (caPath: string, inline = ca.cert) => `    ca-file:
      serverName: backend.internal
      rootCAs: ["${caPath}"]
    ca-inline:
      serverName: backend.internal
      rootCAs:
        - |
${inline
  .trim()
  .split('\n')
  .map((line) => `          ${line}`)
  .join('\n')}
    no-server-name:
      rootCAs: ["${caPath}"]
    skip-verify:
      insecureSkipVerify: true
    http1-only:
      serverName: backend.internal
      rootCAs: ["${caPath}"]
      disableHTTP2: true
    client-cert:
      serverName: backend.internal
      rootCAs: ["${caPath}"]
      certificates:
        - certFile: ${join(dir, 'client.crt')}
          keyFile: ${join(dir, 'client.key')}
    quick-dial:
      insecureSkipVerify: true
      forwardingTimeouts:
        dialTimeout: 200ms
    missing-ca:
      rootCAs: ["${join(dir, 'nowhere.pem')}"]
    spiffe:
      spiffe: {trustDomain: example.test}
    san-uri:
      insecureSkipVerify: true
      rootCAs: ["${caPath}"]
      peerCertSANs: [{type: URI, value: "SPIFFE://example.test/backend"}]
    san-dns:
      insecureSkipVerify: true
      rootCAs: ["${caPath}"]
      peerCertSANs: [{type: DNSName, value: other.internal}, {type: DNSName, value: backend.internal}]
    san-legacy-uri:
      insecureSkipVerify: true
      rootCAs: ["${caPath}"]
      peerCertURI: spiffe://example.test/backend
    san-other:
      insecureSkipVerify: true
      rootCAs: ["${caPath}"]
      peerCertSANs: [{type: URI, value: "spiffe://example.test/frontend"}]
    san-untrusted:
      insecureSkipVerify: true
      peerCertSANs: [{type: URI, value: "spiffe://example.test/backend"}]
`;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gateway-transports-'));
    ca = await createTestCa('test servers CA');
    rogue = await createTestCa('some other CA');
    const clients = await createTestCa('test clients CA');
    clientPair = await clients.client('gateway');
    // The certificate names backend.internal only: reaching it as 127.0.0.1 needs serverName.
    const serverPair = await ca.server({
      dns: ['backend.internal'],
      uris: ['spiffe://example.test/backend'],
    });
    await writeFile(caFile(), ca.cert);
    await writeFile(join(dir, 'rogue.pem'), rogue.cert);
    await writeFile(join(dir, 'client.crt'), clientPair.cert);
    await writeFile(join(dir, 'client.key'), clientPair.key);

    backend = createSecureServer({ ...serverPair, allowHTTP1: true }, describeRequest);
    backendConnections = trackConnections(backend, 'secureConnection');
    backendPort = await listen(backend);
    mtls = createHttpsServer(
      { ...serverPair, requestCert: true, rejectUnauthorized: true, ca: clients.cert },
      (req, res) => void describeRequest(req as never, res as never),
    );
    mtlsPort = await listen(mtls);
    h2c = createH2cServer(describeRequest);
    h2cPort = await listen(h2c);
    // Accepts connections and never speaks: a TLS handshake with it never ends.
    silent = createTcpServer(() => {});
    silentPort = await listen(silent);

    gw = await startGateway({ files: { 'transports.yml': config(transports(caFile())) } });
  });

  after(async () => {
    await gw.close();
    for (const server of [backend, mtls, h2c, silent]) {
      (server as { closeAllConnections?: () => void }).closeAllConnections?.();
      server.close();
    }
    await rm(dir, { recursive: true, force: true });
  });

  const seen = async (path: string) => {
    const reply = await send(`${gw.web}${path}`, { headers: { host: 'shop.example' } });
    assert.equal(reply.status, 200, `${path}: ${reply.body}`);
    return reply.json<Seen>();
  };

  it('verifies https servers: an unknown CA is 500 Internal Server Error, as in Traefik', async () => {
    const reply = await send(`${gw.web}/untrusted`);
    assert.equal(reply.status, 500);
    assert.equal(reply.body, 'Internal Server Error');
  });

  it('trusts rootCAs from a file, sends serverName as SNI and checks the certificate against it', async () => {
    const got = await seen('/trusted');
    assert.equal(got.sni, 'backend.internal');
    // The client's Host still goes upstream (passHostHeader); it is not the TLS name.
    assert.equal(got.host, 'shop.example');
    assert.equal((await seen('/qualified')).sni, 'backend.internal');
  });

  it('takes rootCAs as inline PEM too', async () => {
    assert.equal((await seen('/inline')).sni, 'backend.internal');
  });

  it('checks the certificate against the server URL host without serverName (500, no SNI for an IP)', async () => {
    const reply = await send(`${gw.web}/wrongname`, { headers: { host: 'backend.internal' } });
    assert.equal(reply.status, 500);
  });

  it('accepts any certificate with insecureSkipVerify', async () => {
    assert.equal((await seen('/skip')).sni, false);
  });

  it('with peerCertSANs, wants one of those SANs and a trusted chain, the host name aside', async () => {
    // The certificate names backend.internal, not 127.0.0.1: insecureSkipVerify leaves the name out only.
    assert.equal((await send(`${gw.web}/sanuri`)).status, 200);
    assert.equal((await send(`${gw.web}/sandns`)).status, 200);
    assert.equal((await send(`${gw.web}/sanlegacy`)).status, 200);
    // No matching SAN, or a chain no rootCA vouches for: 500, as Traefik's VerifyPeerCertificate error.
    assert.equal((await send(`${gw.web}/sanother`)).status, 500);
    assert.equal((await send(`${gw.web}/sanuntrusted`)).status, 500);
  });

  it('speaks HTTP/2 to https servers that offer it (ALPN), HTTP/1.1 with disableHTTP2', async () => {
    assert.equal((await seen('/trusted')).version, '2.0');
    assert.equal((await seen('/h1')).version, '1.1');
  });

  it('presents client certificates; without one a server requiring it makes the request 502', async () => {
    assert.equal((await seen('/mtls')).client, 'gateway');
    const reply = await send(`${gw.web}/mtlsnone`);
    assert.equal(reply.status, 502);
    assert.equal(reply.body, 'Bad Gateway');
  });

  it('speaks cleartext HTTP/2 to h2c:// servers, bodies both ways', async () => {
    const reply = await send(`${gw.web}/h2c/upload`, {
      method: 'POST',
      headers: { host: 'shop.example' },
      body: 'x'.repeat(100_000),
    });
    assert.equal(reply.status, 200);
    const got = reply.json<Seen>();
    assert.equal(got.version, '2.0');
    assert.equal(got.host, 'shop.example');
    assert.equal(got.body.length, 100_000);
  });

  it('answers 504 when the connection is not made within dialTimeout', async () => {
    const started = Date.now();
    const reply = await send(`${gw.web}/dial`);
    assert.equal(reply.status, 504);
    assert.equal(reply.body, 'Gateway Timeout');
    assert.ok(Date.now() - started < 2000);
  });

  it('disables a transport whose CA cannot be read, and one with a field it does not support', async () => {
    const services = await send(`${gw.admin}/api/http/services`);
    const byName = new Map(
      services.json<{ name: string; status: string; error?: string[] }[]>().map((s) => [s.name, s]),
    );
    assert.equal(byName.get('broken@file')?.status, 'disabled');
    assert.match(
      byName.get('broken@file')?.error?.join() ?? '',
      /serversTransports\.missing-ca\.rootCAs\[0\]: cannot read ".*nowhere\.pem"/,
    );
    assert.match(byName.get('refused@file')?.error?.join() ?? '', /spiffe: SPIFFE is not supported/);
    assert.equal((await send(`${gw.web}/broken`)).status, 404);
  });

  it('applies a changed CA on reload and closes the pools it replaced', async () => {
    assert.equal((await seen('/trusted')).version, '2.0');
    assert.equal((await seen('/h1')).version, '1.1');
    await seen('/skip');
    const before = backendConnections.total;
    // Every verifying transport now trusts another CA only: the same server fails verification.
    await gw.write('transports.yml', config(transports(join(dir, 'rogue.pem'), rogue.cert)));
    await eventually(async () => (await send(`${gw.web}/trusted`)).status === 500);
    assert.equal((await send(`${gw.web}/inline`)).status, 500);
    // The pools of the old transports are closed: only skip-verify's connection (unchanged) is left.
    await eventually(() => backendConnections.open === 1);
    // Back to the right CA: new pools, new connections.
    await gw.write('transports.yml', config(transports(caFile())));
    await eventually(async () => (await send(`${gw.web}/trusted`)).status === 200);
    assert.ok(backendConnections.total > before);
  });
});

describe('serversTransports maxIdleConnsPerHost', { timeout: 20_000 }, () => {
  let upstream: Server;
  let port: number;
  let connections: ReturnType<typeof trackConnections>;
  let gw: TestGateway;

  before(async () => {
    const server = createHttpServer((_req, res) => setTimeout(() => res.end('ok'), 50));
    server.keepAliveTimeout = 30_000;
    upstream = server as unknown as Server;
    connections = trackConnections(server, 'connection');
    port = await listen(server);
    const service = (name: string, transport?: string) =>
      `    ${name}:\n      loadBalancer:\n${transport ? `        serversTransport: ${transport}\n` : ''}        servers: [{url: "http://127.0.0.1:${port}"}]\n`;
    gw = await startGateway({
      files: {
        'idle.yml': `http:
  routers:
    none: {rule: "PathPrefix(\`/none\`)", service: none}
    one: {rule: "PathPrefix(\`/one\`)", service: one}
    gofault: {rule: "PathPrefix(\`/gofault\`)", service: gofault}
  services:
${service('none', 'no-idle')}${service('one', 'one-idle')}${service('gofault', 'go-default')}  serversTransports:
    no-idle: {maxIdleConnsPerHost: -1}
    one-idle: {maxIdleConnsPerHost: 1}
    go-default: {disableHTTP2: false}
`,
      },
    });
  });

  after(async () => {
    await gw.close();
    (upstream as unknown as { closeAllConnections(): void }).closeAllConnections();
    upstream.close();
  });

  const burst = async (path: string, count: number) => {
    const replies = await Promise.all(Array.from({ length: count }, () => send(`${gw.web}${path}`)));
    for (const reply of replies) assert.equal(reply.status, 200);
  };

  it('-1 keeps no idle connection: each request opens its own', async () => {
    const before = connections.total;
    for (let i = 0; i < 3; i++) await burst('/none', 1);
    assert.equal(connections.total - before, 3);
    await eventually(() => connections.open === 0);
  });

  it('keeps at most maxIdleConnsPerHost idle connections after a burst, and reuses them', async () => {
    await burst('/one', 4);
    await eventually(() => connections.open === 1);
    const before = connections.total;
    await burst('/one', 1);
    assert.equal(connections.total, before, 'the idle connection was reused');
  });

  it('keeps 2 when unset (Go DefaultMaxIdleConnsPerHost, Traefik documents 0 as that default)', async () => {
    await eventually(() => connections.open === 1);
    await burst('/gofault', 5);
    await eventually(() => connections.open === 3);
  });
});

describe('h2c upstreams and trailers (as gRPC uses them)', { timeout: 20_000 }, () => {
  let server: Http2Server;
  let gw: TestGateway;
  let te: string | undefined;

  before(async () => {
    server = createH2cServer((req, res) => {
      te = req.headers.te as string | undefined;
      res.setHeader('content-type', 'application/grpc');
      res.setHeader('trailer', 'grpc-status');
      res.write('message');
      res.addTrailers({ 'grpc-status': '0', 'grpc-message': 'done' });
      res.end();
    });
    const port = await listen(server);
    gw = await startGateway({
      files: { 'grpc.yml': route('grpc', 'PathPrefix(`/`)', `h2c://127.0.0.1:${port}`) },
    });
  });

  after(async () => {
    await gw.close();
    server.close();
  });

  it('passes TE: trailers upstream and relays the trailers to the client', async () => {
    const response = await undiciRequest(`${gw.web}/adder.Adder/Add`, {
      method: 'POST',
      headers: { te: 'trailers', 'content-type': 'application/grpc' },
      body: 'request',
    });
    assert.equal(await response.body.text(), 'message');
    assert.equal(te, 'trailers');
    assert.equal(response.headers.trailer, 'grpc-status');
    assert.deepEqual(response.trailers, { 'grpc-status': '0', 'grpc-message': 'done' });
  });
});

describe('the static serversTransport (default@internal)', { timeout: 20_000 }, () => {
  let dir: string;
  let server: HttpsServer;
  let port: number;
  let gw: TestGateway;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gateway-default-transport-'));
    const ca = await createTestCa('static transport test CA');
    await writeFile(join(dir, 'ca.pem'), ca.cert);
    server = createHttpsServer(await ca.server({ ips: ['127.0.0.1'] }), (_req, res) => res.end('ok'));
    port = await listen(server);
    const service = (name: string, transport = '') =>
      `    ${name}:\n      loadBalancer:\n${transport}        servers: [{url: "https://127.0.0.1:${port}"}]\n`;
    gw = await startGateway({
      static: { serversTransport: { rootCAs: [join(dir, 'ca.pem')], maxIdleConnsPerHost: 10 } },
      files: {
        'default.yml': `http:
  routers:
    implicit: {rule: "PathPrefix(\`/implicit\`)", service: implicit}
    named: {rule: "PathPrefix(\`/named\`)", service: named}
  services:
${service('implicit')}${service('named', '        serversTransport: default@internal\n')}`,
      },
    });
  });

  after(async () => {
    await gw.close();
    server.closeAllConnections();
    server.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('verifies servers with its rootCAs, for services naming no transport or default@internal', async () => {
    assert.equal((await send(`${gw.web}/implicit`)).status, 200);
    assert.equal((await send(`${gw.web}/named`)).status, 200);
  });

  it('stops the start when a CA file cannot be read, and refuses spiffe', async () => {
    await assert.rejects(
      startGateway({ static: { serversTransport: { rootCAs: [join(dir, 'gone.pem')] } }, files: {} }),
      /serversTransport\.rootCAs\[0\]: cannot read ".*gone\.pem"/,
    );
    await assert.rejects(
      startGateway({ static: { serversTransport: { spiffe: {} } }, files: {} }),
      /serversTransport\.spiffe: SPIFFE is not supported/,
    );
  });
});
