/**
 * Fuzzing `/auth` with random headers and queries, random bearer tokens (forged JWTs with any header and payload
 * JSON, and tokens really signed by a trusted issuer carrying any claim values), random cookies: every answer is
 * 200 with the identity, 302 to the login, or 400/401/403 with a JSON `detail`, never a 5xx and never a hang.
 */

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assertCallerError, fuzzRuns, headerValue } from '@gateway-pattern/fuzzing';
import type { Service } from '@gateway-pattern/service-kit';
import fc from 'fast-check';
import { buildApp } from '../app.ts';
import { SESSION_COOKIE } from '../login/session.ts';
import { testLoginConfig } from '../testing/login-config.ts';
import { TokenIssuer } from '../testing/token-issuer.ts';

const runs = fuzzRuns(150);

let issuer: TokenIssuer;
let app: Service;

before(async () => {
  issuer = await TokenIssuer.start();
  app = buildApp({
    logLevel: false,
    staticTokens: [{ token: 'foobar', principal: 'demo' }],
    jwtIssuers: [
      {
        issuer: issuer.issuer,
        jwksUrl: issuer.jwksUrl,
        audiences: ['api://test'],
        algorithms: ['RS256'],
        clockTolerance: 30,
        requiredClaims: [{ name: 'roles', match: 'any', values: ['invokeRole'] }],
      },
    ],
    jwks: { cooldownMs: 0 },
    // Browser login on, its provider unreachable (nothing listens on port 1): sessions and the login redirect are
    // in play, the provider never is.
    login: testLoginConfig('http://127.0.0.1:1', {
      scope: 'openid',
      postLogoutRedirectUrl: 'http://localhost:8000/',
    }),
    oidc: { timeoutSeconds: 1, retryAfterMs: 0 },
  });
  await app.ready();
});
after(async () => {
  await app.close();
  await issuer.close();
});

type Reply = Awaited<ReturnType<Service['inject']>>;

/**
 * What `/auth` may answer: a decision, never a failure of its own. One 500 is by design: the `aud` query is
 * the gateway's configuration (the forwardAuth address; a client's query travels in X-Forwarded-Uri), so a
 * bad one is the operator's mistake, named as such.
 */
function assertDecision(res: Reply, context: unknown): void {
  const where = JSON.stringify(context).slice(0, 300);
  if (res.statusCode === 200) {
    assert.equal(typeof res.headers['x-auth-user'], 'string', where);
    return;
  }
  if (res.statusCode === 302) {
    assert.equal(typeof res.headers.location, 'string', where);
    return;
  }
  if (res.statusCode === 500 && /"detail":"Misconfigured forwardAuth address/.test(res.body)) return;
  assertCallerError(res, where);
  assert.ok([400, 401, 403].includes(res.statusCode), `${res.statusCode} for ${where}`);
}

const b64 = (text: string) => Buffer.from(text).toString('base64url');

/** Any JSON text, or text that is nearly JSON. */
const jsonish = fc.oneof(fc.json({ maxDepth: 3 }), fc.string({ unit: 'binary', maxLength: 40 }));

/** Claim values of every JSON type, and strings that cannot be header values. */
const claimValue = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }),
  fc.constantFrom('a\r\nx-injected: 1', ' padded ', 'é', '\u2028', 'a,b', '', 'x'.repeat(600), 'invokeRole'),
);

const credential = fc.oneof(
  fc.constant('Bearer foobar'),
  headerValue,
  headerValue.map((token) => `Bearer ${token}`),
  fc
    .tuple(jsonish, jsonish, fc.string({ maxLength: 20 }))
    .map(([header, payload, signature]) => `Bearer ${b64(header)}.${b64(payload)}.${b64(signature)}`),
  fc.constantFrom(
    'Bearer',
    'Bearer ',
    'Basic Zm9vOmJhcg==',
    'bearer  foobar',
    'Bearer foobar extra',
    'Bearer a.b.c',
  ),
);

const request = fc.record(
  {
    method: fc.constantFrom('GET', 'POST', 'HEAD', 'DELETE', 'OPTIONS'),
    authorization: credential,
    accept: fc.oneof(fc.constantFrom('text/html', 'application/json', '*/*', 'text/html;q=0'), headerValue),
    'x-forwarded-method': fc.oneof(fc.constantFrom('GET', 'POST', 'get'), headerValue),
    'x-forwarded-proto': fc.oneof(fc.constantFrom('http', 'https', 'ftp'), headerValue),
    'x-forwarded-host': fc.oneof(
      fc.constantFrom('localhost:8000', 'evil.example', '[::1]', 'a:b:c'),
      headerValue,
    ),
    'x-forwarded-uri': fc.oneof(
      fc.constantFrom('/pybackend/x?y=1', '//evil.example/', '/%zz', 'http://x/'),
      headerValue,
    ),
    cookie: fc.oneof(
      headerValue.map((value) => `${SESSION_COOKIE}=${value}`),
      fc.string({ maxLength: 80 }).map((value) => `${SESSION_COOKIE}=${encodeURIComponent(value)}`),
      headerValue,
    ),
    query: fc.oneof(
      fc.constantFrom('', '?aud=pybackend-ts', '?aud=a&aud=b', '?aud=', '?aud[]=x', '?aud=%00', '?aud[a]=1'),
      fc
        .array(headerValue, { maxLength: 10 })
        .map((values) => `?${values.map((v) => `aud=${encodeURIComponent(v)}`).join('&')}`),
    ),
  },
  { requiredKeys: ['method', 'query'] },
);

/** One generated `/auth` request: its method, its query, and headers by name. */
type AuthRequest = { method: string; query: string } & Partial<Record<string, string>>;

async function send(spec: AuthRequest): Promise<Reply> {
  const { method, query, ...headers } = spec;
  return app.inject({
    method: method as 'GET',
    url: `/auth${query}`,
    headers: headers as Record<string, string>,
  });
}

describe('/auth fuzzing', () => {
  it('decides on any headers, cookies, query and bearer token, never failing', async () => {
    await fc.assert(
      fc.asyncProperty(request, async (spec) => {
        const res = await send(spec);
        if (spec.method !== 'HEAD') return assertDecision(res, spec);
        // A HEAD answer has no body to check: it must have the status GET gets.
        const get = await send({ ...spec, method: 'GET' });
        assertDecision(get, spec);
        assert.equal(res.statusCode, get.statusCode);
      }),
      runs,
    );
  });

  it('decides on tokens signed by the trusted issuer whatever their claims hold', async () => {
    const claims = fc.dictionary(
      fc.constantFrom(
        'sub',
        'aud',
        'exp',
        'nbf',
        'iat',
        'iss',
        'roles',
        'email',
        'azp',
        'client_id',
        'appid',
        'jti',
      ),
      fc.oneof(claimValue, fc.constant(undefined)),
      { maxKeys: 6 },
    );
    const header = fc.dictionary(
      fc.constantFrom('typ', 'crit', 'b64', 'kid', 'x5u', 'jku', 'cty'),
      claimValue,
      {
        maxKeys: 2,
      },
    );
    await fc.assert(
      fc.asyncProperty(claims, header, async (overrides, extraHeader) => {
        let token: string;
        try {
          token = await issuer.sign({ claims: overrides, header: extraHeader });
        } catch {
          return; // jose refuses to sign some headers (b64: false, crit): nothing to send.
        }
        const res = await app.inject({ url: '/auth', headers: { authorization: `Bearer ${token}` } });
        assertDecision(res, { overrides, extraHeader });
        if (res.statusCode === 200) {
          for (const name of ['x-auth-user', 'x-auth-email', 'x-auth-roles', 'x-auth-client']) {
            const value = res.headers[name];
            if (value !== undefined) assert.match(String(value), /^[\x20-\x7E]+$/, name);
          }
        }
      }),
      runs,
    );
  });

  it('refuses huge and deeply nested tokens and headers with a 4xx and a JSON detail', async () => {
    const deep = `${'['.repeat(10_000)}${']'.repeat(10_000)}`;
    const tokens = [
      `${b64('{"alg":"RS256"}')}.${b64(deep)}.x`,
      `${b64(deep)}.${b64('{}')}.x`,
      `${b64(`{"alg":"RS256","kid":"${'k'.repeat(100_000)}"}`)}.${b64('{}')}.x`,
      `${'a'.repeat(50_000)}.${'b'.repeat(50_000)}.c`,
      '.'.repeat(10_000),
    ];
    for (const token of tokens) {
      assertDecision(
        await app.inject({ url: '/auth', headers: { authorization: `Bearer ${token}` } }),
        token.slice(0, 80),
      );
    }
    const manyAudiences = `?${Array.from({ length: 1000 }, (_, i) => `aud=a${i}`).join('&')}`;
    assertDecision(await app.inject({ url: `/auth${manyAudiences}` }), 'many audiences');
    assertDecision(
      await app.inject({ url: '/auth', headers: { cookie: `${SESSION_COOKIE}=${'A'.repeat(60_000)}` } }),
      'a huge session cookie',
    );
  });
});
