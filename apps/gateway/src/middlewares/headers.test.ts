/**
 * headers: CORS, security headers and allowedHosts against the cases of Traefik's
 * `pkg/middlewares/headers/{header,headers,secure}_test.go` (ported as facts: config, request headers →
 * response headers and status). Custom headers are covered in middlewares.test.ts.
 */

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startUpstream, type Upstream } from '../testing/harness.ts';
import { assertRefused, type CaseGateway, startCases } from '../testing/middleware-cases.ts';

const h = (config: Record<string, unknown>) => ({ headers: config });
const preflightHeaders = {
  'access-control-request-headers': 'origin',
  'access-control-request-method': 'GET',
  origin: 'https://foo.bar.org',
};
const corsNames = [
  'access-control-allow-origin',
  'access-control-allow-credentials',
  'access-control-allow-headers',
  'access-control-allow-methods',
  'access-control-max-age',
  'access-control-expose-headers',
  'vary',
];

describe("headers: Traefik's CORS, security and allowedHosts cases", () => {
  let upstream: Upstream;
  let gw: CaseGateway;
  before(async () => {
    // Answers with the headers a request asks for in `x-respond-<name>`.
    upstream = await startUpstream((req, res) => {
      for (const [name, value] of Object.entries(req.headers)) {
        if (name.startsWith('x-respond-')) res.setHeader(name.slice('x-respond-'.length), String(value));
      }
      res.end('backend');
    });
    const methods = ['GET', 'OPTIONS', 'PUT'];
    gw = await startCases(
      {
        simplePreflight: h({
          accessControlAllowMethods: methods,
          accessControlAllowOriginList: ['https://foo.bar.org'],
          accessControlMaxAge: 600,
        }),
        wildcardPreflight: h({
          accessControlAllowMethods: methods,
          accessControlAllowOriginList: ['*'],
          accessControlMaxAge: 600,
        }),
        credentialsPreflight: h({
          accessControlAllowMethods: methods,
          accessControlAllowOriginList: ['*'],
          accessControlAllowCredentials: true,
          accessControlMaxAge: 600,
        }),
        allowHeadersPreflight: h({
          accessControlAllowMethods: methods,
          accessControlAllowOriginList: ['*'],
          accessControlAllowHeaders: ['origin', 'X-Forwarded-For'],
          accessControlMaxAge: 600,
        }),
        noMaxAge: h({ accessControlAllowMethods: methods, accessControlAllowOriginList: ['*'] }),
        echoStar: h({
          accessControlAllowMethods: ['*'],
          accessControlAllowHeaders: ['*'],
          accessControlAllowOriginList: ['*'],
          accessControlAllowCredentials: true,
        }),
        simple: h({ accessControlAllowOriginList: ['https://foo.bar.org'] }),
        wildcard: h({ accessControlAllowOriginList: ['*'] }),
        regexp: h({ accessControlAllowOriginListRegex: ['^https?://([a-z]+)\\.bar\\.org$'] }),
        partialRegexp: h({ accessControlAllowOriginListRegex: ['([a-z]+)\\.bar'] }),
        malformedRegexp: h({ accessControlAllowOriginListRegex: ['a(b'] }),
        credentials: h({ accessControlAllowOriginList: ['*'], accessControlAllowCredentials: true }),
        expose: h({
          accessControlAllowOriginList: ['*'],
          accessControlExposeHeaders: ['origin', 'X-Forwarded-For'],
        }),
        exposeStarCredentials: h({
          accessControlAllowOriginList: ['*'],
          accessControlExposeHeaders: ['*'],
          accessControlAllowCredentials: true,
        }),
        vary: h({ accessControlAllowOriginList: ['https://foo.bar.org'], addVaryHeader: true }),
        customOnly: h({ customRequestHeaders: { foo: 'bar' } }),
        permissions: h({ permissionsPolicy: 'microphone=(),' }),
        sts: h({ stsSeconds: 1, forceSTSHeader: true }),
        stsPreload: h({ stsSeconds: 1, forceSTSHeader: true, stsPreload: true }),
        stsTlsOnly: h({ stsSeconds: 31536000, stsIncludeSubdomains: true, publicKey: 'pin-sha256="x"' }),
        stsZero: h({ stsSeconds: 0 }),
        stsProxyHeader: h({ stsSeconds: 60, sslProxyHeaders: { 'X-Forwarded-Proto': 'https' } }),
        stsDevelopment: h({ stsSeconds: 60, forceSTSHeader: true, isDevelopment: true }),
        frameOptions: h({ customFrameOptionsValue: 'foo', frameDeny: true }),
        frameDeny: h({ frameDeny: true }),
        nosniff: h({ contentTypeNosniff: true }),
        xss: h({ browserXssFilter: true }),
        xssCustom: h({ browserXssFilter: true, customBrowserXSSValue: '0' }),
        csp: h({ contentSecurityPolicy: "default-src 'self'", contentSecurityPolicyReportOnly: 'img-src *' }),
        cspNonce: h({ contentSecurityPolicy: 'script-src $NONCE' }),
        referrer: h({ referrerPolicy: 'no-referrer' }),
        overridden: h({ frameDeny: true, customResponseHeaders: { 'X-Frame-Options': '', 'X-Extra': 'y' } }),
        hosts: h({
          allowedHosts: ['foo.com', 'bar.com'],
          customResponseHeaders: { 'X-Seen': 'yes' },
          frameDeny: true,
        }),
        hostsProxy: h({ allowedHosts: ['foo.com'], hostsProxyHeaders: ['X-Forwarded-Host'] }),
        hostsDevelopment: h({ allowedHosts: ['foo.com'], isDevelopment: true }),
        nothing: h({}),
        emptyMaps: h({ customRequestHeaders: {}, customResponseHeaders: {} }),
      },
      { upstream },
    );
  });
  after(async () => {
    await gw.close();
    await upstream.close();
  });

  const cors = (headers: Record<string, unknown>) =>
    Object.fromEntries(
      corsNames.filter((name) => headers[name] !== undefined).map((name) => [name, headers[name]]),
    );
  const preflight = (name: string, headers: Record<string, string> = preflightHeaders) =>
    gw.send(name, '/foo', { method: 'OPTIONS', headers });

  describe('preflights: answered here, 200, empty, never passed on', () => {
    for (const [desc, name, expected, headers] of [
      [
        'simple',
        'simplePreflight',
        {
          'access-control-allow-origin': 'https://foo.bar.org',
          'access-control-max-age': '600',
          'access-control-allow-methods': 'GET,OPTIONS,PUT',
        },
      ],
      [
        'wildcard origin',
        'wildcardPreflight',
        {
          'access-control-allow-origin': '*',
          'access-control-max-age': '600',
          'access-control-allow-methods': 'GET,OPTIONS,PUT',
        },
      ],
      [
        'credentials: the origin instead of *',
        'credentialsPreflight',
        {
          'access-control-allow-origin': 'https://foo.bar.org',
          'access-control-max-age': '600',
          'access-control-allow-methods': 'GET,OPTIONS,PUT',
          'access-control-allow-credentials': 'true',
        },
      ],
      [
        'allow headers',
        'allowHeadersPreflight',
        {
          'access-control-allow-origin': '*',
          'access-control-max-age': '600',
          'access-control-allow-methods': 'GET,OPTIONS,PUT',
          'access-control-allow-headers': 'origin,X-Forwarded-For',
        },
      ],
      [
        'no request headers',
        'allowHeadersPreflight',
        {
          'access-control-allow-origin': '*',
          'access-control-max-age': '600',
          'access-control-allow-methods': 'GET,OPTIONS,PUT',
          'access-control-allow-headers': 'origin,X-Forwarded-For',
        },
        { 'access-control-request-method': 'GET', origin: 'https://foo.bar.org' },
      ],
      [
        'no max age',
        'noMaxAge',
        { 'access-control-allow-origin': '*', 'access-control-allow-methods': 'GET,OPTIONS,PUT' },
        { 'access-control-request-method': 'GET', origin: 'https://foo.bar.org' },
      ],
      [
        '* with credentials echoes the requested method and headers',
        'echoStar',
        {
          'access-control-allow-origin': 'https://foo.bar.org',
          'access-control-allow-credentials': 'true',
          'access-control-allow-methods': 'PATCH',
          'access-control-allow-headers': 'x-a, x-b',
        },
        {
          'access-control-request-method': 'PATCH',
          'access-control-request-headers': 'x-a, x-b',
          origin: 'https://foo.bar.org',
        },
      ],
    ] as const) {
      it(desc, async () => {
        const count = upstream.received.length;
        const reply = await preflight(name, headers as Record<string, string> | undefined);
        assert.equal(reply.status, 200);
        assert.equal(reply.body, '');
        assert.equal(reply.headers['content-length'], '0');
        assert.deepEqual(cors(reply.headers), expected);
        assert.equal(upstream.received.length, count, 'the backend is not called');
      });
    }

    it('without CORS options, an OPTIONS preflight goes to the backend', async () => {
      const reply = await preflight('customOnly');
      assert.equal(reply.body, 'backend');
      assert.deepEqual(cors(reply.headers), {});
      assert.equal(gw.lastReceived()?.headers.foo, 'bar');
    });

    it('an OPTIONS request without Origin is not a preflight', async () => {
      const reply = await preflight('simplePreflight', { 'access-control-request-method': 'GET' });
      assert.equal(reply.body, 'backend');
    });
  });

  describe('responses', () => {
    const origin = { origin: 'https://foo.bar.org' };
    for (const [desc, name, headers, expected] of [
      ['simple request', 'simple', origin, { 'access-control-allow-origin': 'https://foo.bar.org' }],
      ['wildcard origin', 'wildcard', origin, { 'access-control-allow-origin': '*' }],
      ['regexp origin', 'regexp', origin, { 'access-control-allow-origin': 'https://foo.bar.org' }],
      [
        'partial (unanchored) regexp origin',
        'partialRegexp',
        origin,
        { 'access-control-allow-origin': 'https://foo.bar.org' },
      ],
      ['regexp origin without match', 'regexp', { origin: 'https://bar.org' }, {}],
      ['no Origin', 'simple', {}, {}],
      [
        'credentials',
        'credentials',
        origin,
        { 'access-control-allow-origin': 'https://foo.bar.org', 'access-control-allow-credentials': 'true' },
      ],
      [
        'expose headers',
        'expose',
        origin,
        { 'access-control-allow-origin': '*', 'access-control-expose-headers': 'origin,X-Forwarded-For' },
      ],
      [
        'expose * with credentials: not sent',
        'exposeStarCredentials',
        origin,
        { 'access-control-allow-origin': 'https://foo.bar.org', 'access-control-allow-credentials': 'true' },
      ],
      [
        'Vary: Origin added',
        'vary',
        origin,
        { 'access-control-allow-origin': 'https://foo.bar.org', vary: 'Origin' },
      ],
      [
        "Vary: appended to the backend's",
        'vary',
        { ...origin, 'x-respond-vary': 'Testing' },
        { 'access-control-allow-origin': 'https://foo.bar.org', vary: 'Testing,Origin' },
      ],
      [
        "Vary: the backend's Origin kept",
        'vary',
        { ...origin, 'x-respond-vary': 'Origin' },
        { 'access-control-allow-origin': 'https://foo.bar.org', vary: 'Origin' },
      ],
      [
        "the backend's Access-Control-Allow-Origin replaced",
        'wildcard',
        { ...origin, 'x-respond-access-control-allow-origin': 'http://foo.bar.org' },
        { 'access-control-allow-origin': '*' },
      ],
      ['custom request headers are not CORS', 'customOnly', { ...preflightHeaders }, {}],
    ] as const) {
      it(desc, async () => {
        const reply = await gw.send(name, '/foo', { headers: headers as Record<string, string> });
        assert.equal(reply.status, 200);
        assert.equal(reply.body, 'backend');
        assert.deepEqual(cors(reply.headers), expected);
      });
    }
  });

  describe('security headers', () => {
    for (const [desc, name, header, value, init] of [
      ['permissionsPolicy', 'permissions', 'permissions-policy', 'microphone=(),'],
      ['stsSeconds with forceSTSHeader, on HTTP', 'sts', 'strict-transport-security', 'max-age=1'],
      ['stsPreload', 'stsPreload', 'strict-transport-security', 'max-age=1; preload'],
      ['HSTS only on HTTPS without forceSTSHeader', 'stsTlsOnly', 'strict-transport-security', undefined],
      [
        'HSTS on a TLS connection, includeSubDomains',
        'stsTlsOnly',
        'strict-transport-security',
        'max-age=31536000; includeSubDomains',
        { tls: true },
      ],
      ['publicKey only on HTTPS', 'stsTlsOnly', 'public-key-pins', undefined],
      ['publicKey on HTTPS', 'stsTlsOnly', 'public-key-pins', 'pin-sha256="x"', { tls: true }],
      ['stsSeconds 0: valid, no header', 'stsZero', 'strict-transport-security', undefined, { tls: true }],
      [
        'sslProxyHeaders make a request HTTPS',
        'stsProxyHeader',
        'strict-transport-security',
        'max-age=60',
        { headers: { 'x-forwarded-proto': 'https' } },
      ],
      [
        'sslProxyHeaders not matched',
        'stsProxyHeader',
        'strict-transport-security',
        undefined,
        { headers: { 'x-forwarded-proto': 'http' } },
      ],
      ['isDevelopment: no HSTS', 'stsDevelopment', 'strict-transport-security', undefined],
      ['customFrameOptionsValue wins over frameDeny', 'frameOptions', 'x-frame-options', 'foo'],
      ['frameDeny', 'frameDeny', 'x-frame-options', 'DENY'],
      ['contentTypeNosniff', 'nosniff', 'x-content-type-options', 'nosniff'],
      ['browserXssFilter', 'xss', 'x-xss-protection', '1; mode=block'],
      ['customBrowserXSSValue', 'xssCustom', 'x-xss-protection', '0'],
      ['contentSecurityPolicy', 'csp', 'content-security-policy', "default-src 'self'"],
      ['contentSecurityPolicyReportOnly', 'csp', 'content-security-policy-report-only', 'img-src *'],
      ['referrerPolicy', 'referrer', 'referrer-policy', 'no-referrer'],
      [
        'custom response headers apply after the security headers',
        'overridden',
        'x-frame-options',
        undefined,
      ],
    ] as const) {
      it(desc, async () => {
        const reply = await gw.send(
          name,
          '/',
          init as { tls?: boolean; headers?: Record<string, string> } | undefined,
        );
        assert.equal(reply.status, 200);
        assert.equal(reply.headers[header], value);
      });
    }

    it('a $NONCE in the CSP becomes a fresh nonce per request', async () => {
      const first = (await gw.send('cspNonce', '/')).headers['content-security-policy'];
      const second = (await gw.send('cspNonce', '/')).headers['content-security-policy'];
      assert.match(String(first), /^script-src 'nonce-[A-Za-z0-9+/]{22}'$/);
      assert.notEqual(first, second);
    });
  });

  describe('allowedHosts', () => {
    for (const [desc, name, headers, status] of [
      ['a listed host passes', 'hosts', { host: 'foo.com' }, 200],
      ['compared case-insensitively', 'hosts', { host: 'BAR.com' }, 200],
      ['an unlisted host: 500 Bad Host', 'hosts', { host: 'boo.com' }, 500],
      ['the port is part of the host', 'hosts', { host: 'foo.com:8080' }, 500],
      [
        'hostsProxyHeaders: the first non-empty one is the host',
        'hostsProxy',
        { host: 'internal', 'x-forwarded-host': 'foo.com' },
        200,
      ],
      [
        'hostsProxyHeaders: an unlisted proxied host',
        'hostsProxy',
        { host: 'foo.com', 'x-forwarded-host': 'evil.com' },
        500,
      ],
      ['isDevelopment: no host check', 'hostsDevelopment', { host: 'boo.com' }, 200],
    ] as const) {
      it(desc, async () => {
        const count = upstream.received.length;
        const reply = await gw.send(name, '/', { headers });
        assert.equal(reply.status, status);
        if (status === 500) {
          assert.equal(reply.body, 'Bad Host\n');
          assert.equal(upstream.received.length, count, 'the backend is not called');
          if (name === 'hosts') {
            assert.equal(reply.headers['x-seen'], 'yes', 'custom response headers apply to the refusal');
            assert.equal(reply.headers['x-frame-options'], undefined, 'security headers do not');
          }
        }
      });
    }
  });

  it('nothing configured (or only empty maps): refused, as Traefik does', async () => {
    for (const name of ['nothing', 'emptyMaps']) {
      await assertRefused(gw, name, /headers configuration not valid/);
    }
  });

  it('a malformed origin regexp is refused', async () => {
    assert.equal((await gw.send('malformedRegexp', '/')).status, 404);
  });
});
