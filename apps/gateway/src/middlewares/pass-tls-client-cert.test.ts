/**
 * passTLSClientCert through a real gateway: an mTLS entrypoint (TLS options with clientAuth
 * VerifyClientCertIfGiven), a client with and without a certificate, client-sent copies of the headers (replaced
 * by the certificate's; without one removed from an untrusted client, kept from a trusted proxy on the plain
 * entrypoint), HTTP/2, and a reload that changes what is passed.
 */

import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect as connectHttp2 } from 'node:http2';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  eventually,
  send,
  sendHttps,
  startGateway,
  startUpstream,
  type TestGateway,
  type Upstream,
} from '../testing/harness.ts';
import { createTestCa, type KeyPair } from '../testing/test-pki.ts';

type Echo = { headers: Record<string, string | undefined> };

describe('passTLSClientCert', { timeout: 30_000 }, () => {
  let dir: string;
  let backend: Upstream;
  let gw: TestGateway;
  let port: number;
  let client: KeyPair;
  let ca: string;

  const spoofed = {
    'x-forwarded-tls-client-cert': 'forged',
    'x-forwarded-tls-client-cert-info': 'Subject%3D%22CN%3Dadmin%22',
  };

  const config = (info: string) => `
tls:
  certificates:
    - certFile: ${join(dir, 'server.crt')}
      keyFile: ${join(dir, 'server.key')}
  options:
    mtls:
      clientAuth:
        caFiles: [${join(dir, 'ca.crt')}]
        clientAuthType: VerifyClientCertIfGiven
http:
  middlewares:
    pass-cert:
      passTLSClientCert:
        pem: true
        info:
${info}
  routers:
    secure:
      rule: Host(\`mtls.test\`)
      entryPoints: [websecure]
      middlewares: [pass-cert]
      service: backend
      tls: { options: mtls }
    plain:
      rule: PathPrefix(\`/\`)
      entryPoints: [web]
      middlewares: [pass-cert]
      service: backend
  services:
    backend:
      loadBalancer:
        servers: [{ url: "${backend.url}" }]
`;
  const subjectAndDates =
    '          notAfter: true\n          subject: { commonName: true }\n          issuer: { commonName: true }';

  /** GET https://mtls.test/ through the gateway, with or without the client certificate. */
  async function get(
    headers: Record<string, string>,
    tls: Partial<KeyPair> = {},
  ): Promise<{ status: number; echo: Echo }> {
    const reply = await sendHttps(port, '/', {
      servername: 'mtls.test',
      headers: { host: 'mtls.test', ...headers },
      ...tls,
    });
    return { status: reply.status, echo: reply.json<Echo>() };
  }

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gateway-pass-client-cert-'));
    const authority = await createTestCa('client CA');
    const server = await authority.server({ dns: ['mtls.test'] });
    client = await authority.client('alice');
    ca = authority.cert;
    await writeFile(join(dir, 'server.crt'), server.cert);
    await writeFile(join(dir, 'server.key'), server.key);
    await writeFile(join(dir, 'ca.crt'), ca);
    backend = await startUpstream();
    gw = await startGateway({
      // web trusts every client's X-Forwarded-* (a proxy in front), websecure none (the default).
      static: {
        entryPoints: {
          web: { forwardedHeaders: { insecure: true } },
          websecure: { address: '127.0.0.1:0', http: { tls: {} } },
        },
      },
      files: { 'pass.yml': config(subjectAndDates) },
    });
    port = Number(new URL(gw.gateway.url('websecure')).port);
  });

  after(async () => {
    await gw?.close();
    await backend?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('passes the client certificate (the leaf only, as sent) and its selected details', async () => {
    const { status, echo } = await get(spoofed, client);
    assert.equal(status, 200);
    const der = new X509Certificate(client.cert).raw.toString('base64');
    assert.equal(echo.headers['x-forwarded-tls-client-cert'], der);
    const notAfter = Math.floor(Date.parse(new X509Certificate(client.cert).validTo) / 1000);
    assert.equal(
      echo.headers['x-forwarded-tls-client-cert-info'],
      `Subject%3D%22CN%3Dalice%22%3BIssuer%3D%22CN%3Dclient+CA%22%3BNA%3D%22${notAfter}%22`,
    );
  });

  it('sets nothing without a certificate: copies from an untrusted client are gone, from a trusted proxy kept', async () => {
    const { status, echo } = await get(spoofed);
    assert.equal(status, 200);
    assert.equal(echo.headers['x-forwarded-tls-client-cert'], undefined);
    assert.equal(echo.headers['x-forwarded-tls-client-cert-info'], undefined);
    const plain = (await send(`${gw.web}/`, { headers: spoofed })).json<Echo>();
    assert.equal(plain.headers['x-forwarded-tls-client-cert'], spoofed['x-forwarded-tls-client-cert']);
    assert.equal(
      plain.headers['x-forwarded-tls-client-cert-info'],
      spoofed['x-forwarded-tls-client-cert-info'],
    );
  });

  it('works over HTTP/2, for each stream of a connection', async () => {
    const session = connectHttp2(`https://127.0.0.1:${port}`, {
      servername: 'mtls.test',
      rejectUnauthorized: false,
      ...client,
    });
    try {
      const once = () =>
        new Promise<Echo>((resolve, reject) => {
          const stream = session.request({ ':path': '/', ':authority': 'mtls.test', ...spoofed });
          let body = '';
          stream.setEncoding('utf8');
          stream.on('data', (chunk) => {
            body += chunk;
          });
          stream.on('end', () => resolve(JSON.parse(body) as Echo));
          stream.on('error', reject);
          stream.end();
        });
      for (const echo of [await once(), await once()]) {
        assert.match(echo.headers['x-forwarded-tls-client-cert-info'] ?? '', /^Subject%3D%22CN%3Dalice%22/);
      }
    } finally {
      session.close();
    }
  });

  it('takes new info options on reload', async () => {
    await gw.write('pass.yml', config('          serialNumber: true'));
    const serial = BigInt(`0x${new X509Certificate(client.cert).serialNumber}`).toString();
    await eventually(async () => {
      const { echo } = await get({}, client);
      return echo.headers['x-forwarded-tls-client-cert-info'] === `SerialNumber%3D%22${serial}%22`;
    });
  });
});
