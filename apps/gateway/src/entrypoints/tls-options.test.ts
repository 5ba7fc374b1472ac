import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type ConnectionOptions, connect } from 'node:tls';
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

/** Whether OpenSSL's command-line client is installed (Debian package `openssl`). */
const openssl = (() => {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

/** What a handshake gave, or the error that ended it (also an error right after it: a refused client cert). */
interface Handshake {
  readonly ok: boolean;
  readonly protocol?: string | null;
  readonly cipher?: string;
  readonly alpn?: string | false | null;
  readonly curve?: string | undefined;
  readonly subject?: string | string[] | undefined;
}

describe('TLS options', () => {
  let dir: string;
  let app: Upstream;
  let gw: TestGateway;
  let port: number;
  let client: KeyPair;
  let stranger: KeyPair;

  /** Completes a handshake with the secure entrypoint, then waits a moment to see if the server closes. */
  async function handshake(options: ConnectionOptions): Promise<Handshake> {
    const socket = connect({ host: '127.0.0.1', port, rejectUnauthorized: false, ...options });
    try {
      await new Promise<void>((resolve, reject) => {
        socket.once('secureConnect', resolve);
        socket.once('error', reject);
      });
      // A connection the server refuses after the handshake (client certificates) closes at once.
      const closed = await Promise.race([
        new Promise((resolve) => socket.once('close', () => resolve(true))),
        new Promise((resolve) => socket.once('error', () => resolve(true))),
        new Promise((resolve) => setTimeout(() => resolve(false), 150)),
      ]);
      if (closed) return { ok: false };
      return {
        ok: true,
        protocol: socket.getProtocol(),
        cipher: socket.getCipher().name,
        alpn: socket.alpnProtocol,
        curve: (socket.getEphemeralKeyInfo() as { name?: string } | null)?.name,
        subject: socket.getPeerCertificate().subject?.CN,
      };
    } catch {
      return { ok: false };
    } finally {
      socket.destroy();
    }
  }

  /** GET over HTTPS with this SNI and Host; `error` when the connection failed. */
  function get(
    servername: string,
    host: string,
    path: string,
    tls: { cert?: string; key?: string } = {},
  ): Promise<{ status: number; body: string } | { error: string }> {
    return sendHttps(port, path, { servername, headers: { host }, ...tls }).then(
      (reply) => ({ status: reply.status, body: reply.body }),
      (error: NodeJS.ErrnoException) => ({ error: error.code ?? error.message }),
    );
  }

  const router = (name: string, host: string, options?: string) => `
    ${name}:
      rule: Host(\`${host}\`)
      service: app
      tls: ${options === undefined ? '{}' : `{ options: ${options} }`}`;

  let tlsFile: (overrides?: { mtlsType?: string; modernMin?: string }) => string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gateway-tls-options-'));
    const ca = await createTestCa('gateway test CA');
    const other = await createTestCa('another CA');
    const server = await ca.server({
      dns: [
        'a.test',
        'modern.test',
        'tls12.test',
        'mtls.test',
        'optional.test',
        'http1.test',
        'same.test',
        'legacy.test',
      ],
    });
    client = await ca.client('alice');
    stranger = await other.client('mallory');
    await writeFile(join(dir, 'server.crt'), server.cert);
    await writeFile(join(dir, 'server.key'), server.key);
    await writeFile(join(dir, 'ca.crt'), ca.cert);
    tlsFile = ({ mtlsType = 'RequireAndVerifyClientCert', modernMin = 'VersionTLS13' } = {}) => `
tls:
  certificates:
    - certFile: ${join(dir, 'server.crt')}
      keyFile: ${join(dir, 'server.key')}
  options:
    default:
      sniStrict: true
    modern:
      minVersion: ${modernMin}
    tls12:
      maxVersion: VersionTLS12
      cipherSuites: [TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, TLS_AES_128_GCM_SHA256]
      curvePreferences: [CurveP384]
      preferServerCipherSuites: true
    mtls:
      clientAuth:
        caFiles: [${join(dir, 'ca.crt')}]
        clientAuthType: ${mtlsType}
    optional:
      clientAuth:
        caFiles:
          - |
${ca.cert
  .trim()
  .split('\n')
  .map((line) => `            ${line}`)
  .join('\n')}
        clientAuthType: VerifyClientCertIfGiven
    http1:
      alpnProtocols: [http/1.1]
    legacy:
      minVersion: VersionTLS10
    broken:
      minVersion: VersionTLS14
http:
  routers:${router('a', 'a.test')}${router('modern', 'modern.test', 'modern')}${router('tls12', 'tls12.test', 'tls12@file')}${router('mtls', 'mtls.test', 'mtls')}${router('optional', 'optional.test', 'optional')}${router('http1', 'http1.test', 'http1')}${router('missing', 'missing.test', 'nope')}${router('invalid', 'invalid.test', 'broken')}${router('same-1', 'same.test', 'modern')}${router('same-2', 'same.test')}${router('legacy', 'legacy.test', 'legacy')}
  services:
    app:
      loadBalancer:
        servers:
          - url: ${app.url}
`;
    app = await startUpstream((req, res) => res.end(`app ${req.url}`));
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
      files: { 'tls.yml': tlsFile() },
    });
    port = Number(new URL(gw.gateway.url('websecure')).port);
  });

  after(async () => {
    await gw.close();
    await app.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('applies default to routers without tls.options: TLS 1.2 and 1.3, ALPN h2 first', async () => {
    const tls12 = await handshake({
      servername: 'a.test',
      maxVersion: 'TLSv1.2',
      ALPNProtocols: ['h2', 'http/1.1'],
    });
    assert.equal(tls12.ok, true);
    assert.equal(tls12.protocol, 'TLSv1.2');
    assert.equal(tls12.alpn, 'h2');
    assert.equal(tls12.subject, 'a.test');
    const tls13 = await handshake({ servername: 'a.test' });
    assert.equal(tls13.protocol, 'TLSv1.3');
    // TLS 1.1 is below the default minVersion (VersionTLS12).
    assert.equal(
      (await handshake({ servername: 'a.test', minVersion: 'TLSv1', maxVersion: 'TLSv1.1' })).ok,
      false,
    );
  });

  it('picks a router’s options by the SNI of its Host rule: minVersion', async () => {
    assert.equal((await handshake({ servername: 'modern.test', maxVersion: 'TLSv1.2' })).ok, false);
    assert.equal((await handshake({ servername: 'modern.test' })).protocol, 'TLSv1.3');
  });

  it('maps maxVersion, Go cipher suite names and curve names to OpenSSL’s', async () => {
    const result = await handshake({ servername: 'tls12.test' });
    assert.equal(result.ok, true);
    assert.equal(result.protocol, 'TLSv1.2');
    assert.equal(result.cipher, 'ECDHE-ECDSA-AES256-GCM-SHA384');
    assert.equal(result.curve, 'secp384r1');
    // A client that only speaks the TLS 1.2 suites the option left out gets no handshake.
    assert.equal(
      (await handshake({ servername: 'tls12.test', ciphers: 'ECDHE-ECDSA-AES128-GCM-SHA256' })).ok,
      false,
    );
  });

  it('minVersion VersionTLS10 lets TLS 1.0 clients in, for that name only', async () => {
    const tls10 = { minVersion: 'TLSv1', maxVersion: 'TLSv1', ciphers: 'DEFAULT:@SECLEVEL=0' } as const;
    assert.equal((await handshake({ servername: 'legacy.test', ...tls10 })).protocol, 'TLSv1');
    assert.equal((await handshake({ servername: 'a.test', ...tls10 })).ok, false);
  });

  it('sniStrict refuses names no certificate answers for, and clients that send no name', async () => {
    assert.equal((await handshake({ servername: 'unknown.test' })).ok, false);
    assert.equal((await handshake({})).ok, false);
    assert.equal((await handshake({ servername: 'a.test' })).ok, true);
  });

  it('RequireAndVerifyClientCert: a client certificate signed by caFiles is required', async () => {
    assert.deepEqual(await get('mtls.test', 'mtls.test', '/x', client), { status: 200, body: 'app /x' });
    assert.ok('error' in (await get('mtls.test', 'mtls.test', '/x')));
    assert.ok('error' in (await get('mtls.test', 'mtls.test', '/x', stranger)));
  });

  it('asks for a client certificate only for names whose options want one', { skip: !openssl }, async () => {
    // OpenSSL's client prints the signature algorithms of a CertificateRequest when it gets one.
    const requested = async (servername: string) =>
      /Requested Signature Algorithms/.test(
        await new Promise<string>((resolve) => {
          const child = execFile(
            'openssl',
            ['s_client', '-connect', `127.0.0.1:${port}`, '-servername', servername],
            { timeout: 10_000 },
            (_error, stdout) => resolve(stdout),
          );
          child.stdin?.end();
        }),
      );
    assert.equal(await requested('mtls.test'), true);
    assert.equal(await requested('a.test'), false);
  });

  it('VerifyClientCertIfGiven (CA given as content): no certificate is fine, a bad one is not', async () => {
    assert.deepEqual(await get('optional.test', 'optional.test', '/y'), { status: 200, body: 'app /y' });
    assert.deepEqual(await get('optional.test', 'optional.test', '/y', client), {
      status: 200,
      body: 'app /y',
    });
    assert.ok('error' in (await get('optional.test', 'optional.test', '/y', stranger)));
  });

  it('answers 421 to a request for a host whose options the connection did not negotiate', async () => {
    // Handshake for a.test (default options, no client certificate), then ask for the mTLS host.
    assert.deepEqual(await get('a.test', 'mtls.test', '/x'), { status: 421, body: 'Misdirected Request\n' });
    assert.deepEqual(await get('a.test', 'a.test', '/x'), { status: 200, body: 'app /x' });
  });

  it('alpnProtocols: the option’s list, in its order', async () => {
    const result = await handshake({ servername: 'http1.test', ALPNProtocols: ['h2', 'http/1.1'] });
    assert.equal(result.alpn, 'http/1.1');
    assert.equal((await handshake({ servername: 'http1.test', ALPNProtocols: ['h2'] })).ok, false);
  });

  it('disables a router whose options are unknown or invalid, and reports conflicts', async () => {
    const routers = (await send(`${gw.admin}/api/http/routers`)).json<
      { name: string; status: string; error?: string[] }[]
    >();
    const byName = new Map(routers.map((r) => [r.name, r]));
    assert.equal(byName.get('missing@file')?.status, 'disabled');
    assert.match(byName.get('missing@file')?.error?.join(' ') ?? '', /unknown TLS options: nope@file/);
    assert.equal(byName.get('invalid@file')?.status, 'disabled');
    assert.match(
      byName.get('invalid@file')?.error?.join(' ') ?? '',
      /invalid TLS options "broken@file".*minVersion/,
    );
    for (const name of ['same-1@file', 'same-2@file']) {
      assert.equal(byName.get(name)?.status, 'warning');
      assert.match(
        byName.get(name)?.error?.join(' ') ?? '',
        /host "same\.test" is served by routers with different TLS options/,
      );
    }
    // The conflict leaves same.test with the default options (TLS 1.2 allowed), as Traefik does.
    assert.equal((await handshake({ servername: 'same.test', maxVersion: 'TLSv1.2' })).ok, true);
  });

  it('applies changed options to new handshakes on reload', async () => {
    await gw.write('tls.yml', tlsFile({ mtlsType: 'RequestClientCert', modernMin: 'VersionTLS12' }));
    // The file watcher may deliver the change over more than one reload: wait for its effect.
    await eventually(async () => 'status' in (await get('mtls.test', 'mtls.test', '/z')));
    assert.deepEqual(await get('mtls.test', 'mtls.test', '/z'), { status: 200, body: 'app /z' });
    assert.equal((await handshake({ servername: 'modern.test', maxVersion: 'TLSv1.2' })).ok, true);
  });
});

describe('entrypoint TLS options (entryPoints.<name>.http.tls.options)', () => {
  let app: Upstream;
  let gw: TestGateway;

  /** The protocol of a TLS 1.2-at-most handshake with `entryPoint` for `servername`, or false. */
  async function tls12(entryPoint: string, servername: string): Promise<string | false> {
    const port = Number(new URL(gw.gateway.url(entryPoint)).port);
    const socket = connect({
      host: '127.0.0.1',
      port,
      servername,
      maxVersion: 'TLSv1.2',
      rejectUnauthorized: false,
    });
    try {
      await new Promise<void>((resolve, reject) => {
        socket.once('secureConnect', resolve);
        socket.once('error', reject);
      });
      return socket.getProtocol() ?? false;
    } catch {
      return false;
    } finally {
      socket.destroy();
    }
  }

  before(async () => {
    app = await startUpstream((req, res) => res.end(`app ${req.url}`));
    const graceTimeOut = { lifeCycle: { graceTimeOut: '1s' } };
    gw = await startGateway({
      static: {
        entryPoints: {
          strict: { address: '127.0.0.1:0', http: { tls: { options: 'modern' } }, transport: graceTimeOut },
          lax: { address: '127.0.0.1:0', http: { tls: {} }, transport: graceTimeOut },
        },
      },
      files: {
        'tls.yml': `
tls:
  options:
    modern:
      minVersion: VersionTLS13
http:
  routers:
    inherits:
      rule: Host(\`inherits.test\`)
      entryPoints: [strict, lax]
      service: app
    own:
      rule: Host(\`own.test\`)
      entryPoints: [strict]
      service: app
      tls: {}
  services:
    app:
      loadBalancer:
        servers:
          - url: ${app.url}
`,
      },
    });
  });

  after(async () => {
    await gw.close();
    await app.close();
  });

  it('gives routers without tls their entrypoint’s options, on that entrypoint only', async () => {
    assert.equal(await tls12('strict', 'inherits.test'), false);
    assert.equal(await tls12('lax', 'inherits.test'), 'TLSv1.2');
  });

  it('lets a router’s own tls, even empty, replace the entrypoint’s', async () => {
    assert.equal(await tls12('strict', 'own.test'), 'TLSv1.2');
  });
});
