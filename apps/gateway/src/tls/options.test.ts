import assert from 'node:assert/strict';
import { once } from 'node:events';
import { type AddressInfo, createServer } from 'node:net';
import { describe, it } from 'node:test';
import { connect } from 'node:tls';
import { clientHelloServerName } from './client-hello.ts';
import { buildTlsOptions, buildTlsOptionsSet } from './options.ts';
import { resolveTlsRouting, ruleDomains } from './router-options.ts';

const build = (raw: unknown) => {
  const warnings: string[] = [];
  return { options: buildTlsOptions('x@file', raw, warnings, 'tls.options.x'), warnings };
};

const error = (raw: unknown): string => {
  try {
    build(raw);
  } catch (e) {
    return (e as Error).message;
  }
  assert.fail('expected an error');
};

describe('buildTlsOptions', () => {
  it('defaults to TLS 1.2 at least, Traefik’s ALPN list, no client certificate', () => {
    const { options } = build({});
    assert.equal(options.context.minVersion, 'TLSv1.2');
    assert.equal(options.context.maxVersion, undefined);
    assert.deepEqual(options.alpnProtocols, ['h2', 'http/1.1', 'acme-tls/1']);
    assert.equal(options.clientAuth, 'NoClientCert');
    assert.equal(options.sniStrict, false);
  });

  it('maps Go versions, cipher suites and curves to OpenSSL names', () => {
    const { options, warnings } = build({
      minVersion: 'VersionTLS10',
      maxVersion: 'VersionTLS13',
      cipherSuites: [
        'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256',
        'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305',
        'TLS_RSA_WITH_AES_256_CBC_SHA',
        'TLS_AES_256_GCM_SHA384',
        'TLS_RSA_WITH_RC4_128_SHA',
      ],
      curvePreferences: ['CurveP521', 'secp384r1', 'X25519', 'x25519'],
      sniStrict: true,
    });
    assert.equal(options.context.minVersion, 'TLSv1');
    assert.equal(options.context.maxVersion, 'TLSv1.3');
    // TLS 1.3 suites cannot be configured in Go: the name is accepted and changes nothing.
    assert.equal(
      options.context.ciphers,
      // TLS 1.0 and 1.1 need OpenSSL's security level 0.
      'ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-CHACHA20-POLY1305:AES256-SHA:@SECLEVEL=0',
    );
    assert.equal(options.context.ecdhCurve, 'P-521:P-384:X25519');
    assert.equal(options.sniStrict, true);
    assert.deepEqual(warnings, [
      'tls.options.x.cipherSuites: TLS_RSA_WITH_RC4_128_SHA is not available in OpenSSL 3, skipped',
    ]);
  });

  it('leaves only TLS 1.3 when the suites listed are all TLS 1.3 ones', () => {
    const { options } = build({ cipherSuites: ['TLS_AES_128_GCM_SHA256'] });
    assert.match(String(options.context.ciphers), /^TLS_AES_256_GCM_SHA384:/);
  });

  it('refuses unknown names with the field and value', () => {
    assert.match(
      error({ cipherSuites: ['TLS_NOPE'] }),
      /tls\.options\.x\.cipherSuites: invalid CipherSuite: TLS_NOPE/,
    );
    assert.match(
      error({ curvePreferences: ['P-256'] }),
      /invalid CurveID in curvePreferences|invalid CurveID: P-256/,
    );
    assert.match(
      error({ minVersion: 'VersionTLS14' }),
      /tls\.options\.x\.minVersion: expected one of VersionTLS10/,
    );
    assert.match(
      error({ clientAuth: { clientAuthType: 'Maybe' } }),
      /clientAuthType: expected one of NoClientCert/,
    );
    assert.match(error({ sniStrictt: true }), /tls\.options\.x\.sniStrictt: unknown field/);
  });

  it('needs caFiles to verify client certificates, and requires them when only caFiles is given', () => {
    assert.match(
      error({ clientAuth: { clientAuthType: 'RequireAndVerifyClientCert' } }),
      /invalid clientAuthType: RequireAndVerifyClientCert, CAFiles is required/,
    );
    assert.match(
      error({ clientAuth: { caFiles: ['/nonexistent/ca.pem'] } }),
      /caFiles\[0\]: cannot read "\/nonexistent\/ca\.pem" \(ENOENT\)/,
    );
    assert.equal(
      build({ clientAuth: { clientAuthType: 'RequireAnyClientCert' } }).options.clientAuth,
      'RequireAnyClientCert',
    );
  });

  it('accepts the deprecated preferServerCipherSuites with a warning', () => {
    assert.match(build({ preferServerCipherSuites: true }).warnings[0] ?? '', /deprecated and ineffective/);
  });

  it('gives `default` Traefik’s options unless the configuration defines it; a broken one is left out', () => {
    const set = buildTlsOptionsSet(
      new Map([
        ['strict', { raw: { sniStrict: true }, source: 'a.yml' }],
        ['bad', { raw: { maxVersion: 1 }, source: 'a.yml' }],
      ]),
      'file',
    );
    assert.deepEqual([...set.options.keys()].sort(), ['default', 'strict@file']);
    assert.match(set.errors.get('bad@file') ?? '', /^a\.yml: tls\.options\.bad\.maxVersion/);
    const broken = buildTlsOptionsSet(
      new Map([['default', { raw: { minVersion: 'x' }, source: 'a.yml' }]]),
      'file',
    );
    assert.equal(broken.options.has('default'), false);
  });
});

describe('TLS options by server name', () => {
  it('takes the Host domains of a rule, lower-cased, wherever they sit', () => {
    assert.deepEqual(ruleDomains('Host(`A.test`) || (PathPrefix(`/x`) && !Host(`b.test`))'), [
      'a.test',
      'b.test',
    ]);
    assert.deepEqual(ruleDomains('HostRegexp(`.+`)'), []);
    assert.deepEqual(ruleDomains('Host('), []);
  });

  it('maps domains to options per entrypoint; conflicts and domain-less routers fall back to default', () => {
    const routing = resolveTlsRouting([
      { name: 'a', rule: 'Host(`a.test`)', options: 'strict@file', entryPoints: ['one', 'two'] },
      { name: 'b', rule: 'Host(`b.test`)', options: 'strict@file', entryPoints: ['one'] },
      { name: 'b2', rule: 'Host(`b.test`) && Path(`/2`)', options: 'default', entryPoints: ['one'] },
      { name: 'c', rule: 'PathPrefix(`/c`)', options: 'strict@file', entryPoints: ['one'] },
    ]);
    assert.deepEqual([...(routing.hosts.get('one') ?? [])], [['a.test', 'strict@file']]);
    assert.deepEqual([...(routing.hosts.get('two') ?? [])], [['a.test', 'strict@file']]);
    assert.equal(routing.resolved.get('b')?.get('one'), 'default');
    assert.equal(routing.resolved.get('c')?.get('one'), 'default');
    assert.equal(routing.resolved.get('a')?.get('two'), 'strict@file');
    assert.match(
      routing.conflicts.get('b') ?? '',
      /host "b\.test" is served by routers with different TLS options \(b, b2\)/,
    );
    assert.match(routing.conflicts.get('c') ?? '', /no domain found in rule/);
    assert.equal(routing.conflicts.has('a'), false);
  });

  it('resolves a router placed with different options on different entrypoints, conflicts per entrypoint', () => {
    const routing = resolveTlsRouting([
      { name: 'r', rule: 'Host(`r.test`)', options: 'strict@file', entryPoints: ['one'] },
      { name: 'r', rule: 'Host(`r.test`)', options: 'default', entryPoints: ['two'] },
      { name: 's', rule: 'Host(`r.test`)', options: 'other@file', entryPoints: ['two'] },
    ]);
    assert.equal(routing.resolved.get('r')?.get('one'), 'strict@file');
    assert.equal(routing.resolved.get('r')?.get('two'), 'default');
    assert.equal(routing.resolved.get('s')?.get('two'), 'default');
    assert.deepEqual([...(routing.hosts.get('one') ?? [])], [['r.test', 'strict@file']]);
    assert.deepEqual([...(routing.hosts.get('two') ?? [])], []);
  });
});

describe('clientHelloServerName', () => {
  /** The first bytes a TLS client sends. */
  async function helloFrom(servername?: string): Promise<Buffer> {
    const server = createServer();
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const received = once(server, 'connection').then(async ([socket]) => {
      const [chunk] = await once(socket, 'data');
      socket.destroy();
      return chunk as Buffer;
    });
    const client = connect({ port: (server.address() as AddressInfo).port, host: '127.0.0.1', servername });
    client.on('error', () => {});
    const hello = await received;
    client.destroy();
    server.close();
    return hello;
  }

  it('reads the server name of a real ClientHello, and needs the whole first record', async () => {
    const hello = await helloFrom('API.Example.test');
    assert.equal(clientHelloServerName(hello), 'api.example.test');
    assert.equal(clientHelloServerName(hello.subarray(0, 40)), undefined);
    assert.equal(clientHelloServerName(await helloFrom()), null);
    assert.equal(clientHelloServerName(Buffer.from('GET / HTTP/1.1\r\n\r\n')), null);
  });
});
