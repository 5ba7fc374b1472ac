import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { EnvError } from '@gateway-pattern/service-kit';
import { loadConfig } from './config.ts';

describe('loadConfig', () => {
  it('defaults to port 4181 on 127.0.0.1 with no static tokens, no JWT issuer and no login', () => {
    assert.deepEqual(loadConfig({}), {
      host: '127.0.0.1',
      port: 4181,
      logLevel: 'info',
      staticTokens: [],
      jwtIssuers: [],
      publicUrl: 'http://localhost:8000',
      returnOrigins: [],
      login: null,
      assertion: { issuer: 'forward-auth', ttlSeconds: 60, privateKey: null },
    });
  });

  it('parses STATIC_TOKENS', () => {
    const config = loadConfig({ STATIC_TOKENS: 'foobar:demo,other', PORT: '5000', LOG_LEVEL: 'warn' });
    assert.equal(config.port, 5000);
    assert.equal(config.logLevel, 'warn');
    assert.deepEqual(config.staticTokens, [
      { token: 'foobar', principal: 'demo' },
      { token: 'other', principal: 'static-token' },
    ]);
  });

  it('fails with an EnvError naming STATIC_TOKENS and the bad entries', () => {
    assert.throws(
      () => loadConfig({ STATIC_TOKENS: 'foobar:demo,has space' }),
      (err: unknown) =>
        err instanceof EnvError &&
        /STATIC_TOKENS: entry 2/.test(err.message) &&
        !/has space/.test(err.message),
    );
  });

  it('fails with an EnvError naming other bad variables', () => {
    assert.throws(
      () => loadConfig({ PORT: 'eighty', LOG_LEVEL: 'loud' }),
      (err: unknown) => err instanceof EnvError && /PORT/.test(err.message) && /LOG_LEVEL/.test(err.message),
    );
  });
});

const KEY = Buffer.alloc(32, 7).toString('base64');

function refuses(env: NodeJS.ProcessEnv, pattern: RegExp): void {
  assert.throws(
    () => loadConfig(env),
    (err: unknown) => err instanceof EnvError && err.problems.some((p) => pattern.test(p)),
    JSON.stringify(env),
  );
}

describe('loadConfig: JWT issuers', () => {
  it('reads a single issuer from separate variables, RS256 and 30 s by default', () => {
    const config = loadConfig({
      JWT_ISSUER: 'http://localhost:4444',
      JWT_JWKS_URL: 'http://identity:4444/jwks',
      JWT_AUDIENCES: 'api://adder, api://other',
      JWT_REQUIRED_ROLES: 'invokeRole',
    });
    assert.deepEqual(config.jwtIssuers, [
      {
        issuer: 'http://localhost:4444',
        jwksUrl: 'http://identity:4444/jwks',
        audiences: ['api://adder', 'api://other'],
        algorithms: ['RS256'],
        clockTolerance: 30,
        requiredClaims: [{ name: 'roles', match: 'all', values: ['invokeRole'] }],
      },
    ]);
  });

  it('reads JWT_ISSUERS as JSON with required claims', () => {
    const config = loadConfig({
      JWT_ISSUERS: JSON.stringify([
        {
          issuer: 'https://login.example/tenant/v2.0',
          audiences: ['api://adder'],
          algorithms: ['RS256', 'ES256'],
          clockTolerance: 0,
          requiredClaims: [{ name: 'scp', match: 'any', values: ['read', 'write'], separator: ' ' }],
        },
      ]),
    });
    assert.equal(config.jwtIssuers.length, 1);
    assert.equal(config.jwtIssuers[0]?.jwksUrl, null);
    assert.deepEqual(config.jwtIssuers[0]?.algorithms, ['RS256', 'ES256']);
    assert.deepEqual(config.jwtIssuers[0]?.requiredClaims, [
      { name: 'scp', match: 'any', values: ['read', 'write'], separator: ' ' },
    ]);
  });

  it('refuses HMAC and none, a missing audience, and both forms at once', () => {
    refuses({ JWT_ISSUER: 'http://i', JWT_AUDIENCES: 'a', JWT_ALGORITHMS: 'HS256' }, /JWT_ALGORITHMS/);
    refuses({ JWT_ISSUER: 'http://i', JWT_AUDIENCES: 'a', JWT_ALGORITHMS: 'none' }, /JWT_ALGORITHMS/);
    refuses({ JWT_ISSUER: 'http://i' }, /JWT_AUDIENCES/);
    refuses({ JWT_AUDIENCES: 'a' }, /JWT_ISSUER: required by JWT_AUDIENCES/);
    refuses({ JWT_ISSUER: 'not a url', JWT_AUDIENCES: 'a' }, /JWT_ISSUER/);
    refuses({ JWT_ISSUER: 'http://i', JWT_AUDIENCES: 'a', JWT_JWKS_URL: 'ftp://x' }, /JWT_JWKS_URL/);
    refuses({ JWT_ISSUERS: '[]', JWT_ISSUER: 'http://i' }, /not both/);
    refuses({ JWT_ISSUERS: '{' }, /JWT_ISSUERS: not valid JSON/);
    refuses(
      { JWT_ISSUERS: '[{"issuer":"http://i","audiences":["a"],"algorithms":["HS256"]}]' },
      /JWT_ISSUERS/,
    );
    refuses({ JWT_ISSUERS: '[{"issuer":"http://i","audiences":[]}]' }, /JWT_ISSUERS/);
    refuses({ JWT_ISSUERS: '[{"issuer":"http://i","audiences":["a"],"audience":"typo"}]' }, /JWT_ISSUERS/);
    refuses(
      { JWT_ISSUERS: '[{"issuer":"http://i","audiences":["a"]},{"issuer":"http://i","audiences":["b"]}]' },
      /listed twice/,
    );
  });
});

describe('loadConfig: browser login', () => {
  const login = {
    OIDC_ISSUER: 'http://localhost:4444',
    OIDC_CLIENT_ID: 'forward-auth',
    OIDC_CLIENT_SECRET: 'forward-auth-secret',
  };

  it('is on with an issuer and a client id, with defaults for the rest', () => {
    const config = loadConfig(login);
    assert.deepEqual(config.login, {
      issuer: 'http://localhost:4444',
      internalUrl: null,
      clientId: 'forward-auth',
      clientSecret: 'forward-auth-secret',
      scope: 'openid email profile roles',
      cookieKeys: null,
      sessionMaxAge: 43200,
      postLogoutRedirectUrl: 'http://localhost:8000/oauth2/signed_out',
    });
  });

  it('reads cookie keys, the public URL and further return origins', () => {
    const config = loadConfig({
      ...login,
      COOKIE_SECRET: `${KEY},${Buffer.alloc(32, 8).toString('base64')}`,
      PUBLIC_URL: 'https://gateway.example/',
      ALLOWED_RETURN_ORIGINS: 'https://app.example, http://localhost:3000',
    });
    assert.equal(config.publicUrl, 'https://gateway.example');
    assert.deepEqual(config.returnOrigins, ['https://app.example', 'http://localhost:3000']);
    assert.equal(config.login?.cookieKeys?.length, 2);
    assert.deepEqual(config.login?.cookieKeys?.[0], Buffer.alloc(32, 7));
    assert.equal(config.login?.postLogoutRedirectUrl, 'https://gateway.example/oauth2/signed_out');
  });

  it('refuses bad keys without quoting them, and incomplete or stray login settings', () => {
    assert.throws(
      () => loadConfig({ ...login, COOKIE_SECRET: 'c2hvcnQ=' }),
      (err: unknown) =>
        err instanceof EnvError &&
        /COOKIE_SECRET: key 1 must be 32 bytes/.test(err.message) &&
        !/c2hvcnQ/.test(err.message),
    );
    refuses({ COOKIE_SECRET: 'c2hvcnQ=' }, /COOKIE_SECRET: key 1/);
    refuses({ OIDC_ISSUER: 'http://localhost:4444' }, /OIDC_CLIENT_ID: required/);
    refuses({ OIDC_CLIENT_ID: 'x' }, /OIDC_ISSUER: required by OIDC_CLIENT_ID/);
    refuses({ ...login, OIDC_INTERNAL_URL: 'identity:4444' }, /OIDC_INTERNAL_URL/);
    refuses({ ...login, OIDC_SCOPES: 'email profile' }, /OIDC_SCOPES/);
    refuses({ PUBLIC_URL: 'http://localhost:8000/app' }, /PUBLIC_URL: must be an origin/);
    refuses({ ALLOWED_RETURN_ORIGINS: 'javascript:alert(1)' }, /ALLOWED_RETURN_ORIGINS/);
    refuses({ SESSION_MAX_AGE: '5' }, /SESSION_MAX_AGE/);
  });

  it('reads the assertion issuer, lifetime and signing key file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'forward-auth-key-'));
    try {
      const keyFile = join(dir, 'assertion.pem');
      const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
      writeFileSync(keyFile, privateKey.export({ format: 'pem', type: 'pkcs8' }));
      const config = loadConfig({
        IDENTITY_ASSERTION_ISSUER: 'https://auth.example',
        IDENTITY_ASSERTION_TTL: '30',
        IDENTITY_ASSERTION_KEY_FILE: keyFile,
      });
      assert.equal(config.assertion.issuer, 'https://auth.example');
      assert.equal(config.assertion.ttlSeconds, 30);
      assert.ok(config.assertion.privateKey?.equals(privateKey));

      const rsaFile = join(dir, 'rsa.pem');
      const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
      writeFileSync(rsaFile, rsa.export({ format: 'pem', type: 'pkcs8' }));
      refuses(
        { IDENTITY_ASSERTION_KEY_FILE: rsaFile },
        /IDENTITY_ASSERTION_KEY_FILE: .*rsa\.pem: must be an EC P-256/,
      );
      refuses(
        { IDENTITY_ASSERTION_KEY_FILE: join(dir, 'missing.pem') },
        /IDENTITY_ASSERTION_KEY_FILE: cannot read .*missing\.pem \(ENOENT\)/,
      );
      refuses({ IDENTITY_ASSERTION_TTL: '3600' }, /IDENTITY_ASSERTION_TTL/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
