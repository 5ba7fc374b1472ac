import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { describe, it } from 'node:test';
import { EnvError } from '@gateway-pattern/service-kit';
import {
  DEFAULT_IDENTITY_CONFIG,
  DEFAULT_KEYS_DIR,
  DEMO_COOKIE_KEY,
  issuerProblem,
  loadConfig,
} from './config.ts';

function problems(env: NodeJS.ProcessEnv): readonly string[] {
  try {
    loadConfig(env);
  } catch (err) {
    assert.ok(err instanceof EnvError);
    return err.problems;
  }
  assert.fail('expected an EnvError');
}

describe('loadConfig', () => {
  it('defaults to the local profile', () => {
    assert.deepEqual(loadConfig({}), {
      host: '127.0.0.1',
      port: 4444,
      logLevel: 'info',
      issuer: 'http://localhost:4444',
      identityConfig: DEFAULT_IDENTITY_CONFIG,
      keysDir: DEFAULT_KEYS_DIR,
      cookieKeys: [DEMO_COOKIE_KEY],
      demoCookieKeys: true,
      trustProxy: false,
    });
    assert.ok(DEFAULT_IDENTITY_CONFIG.endsWith('/infra/identity/identity.yml'));
    assert.ok(DEFAULT_KEYS_DIR.endsWith('/apps/identity/var'));
  });

  it('reads every variable', () => {
    const config = loadConfig({
      PORT: '5555',
      HOST: '0.0.0.0',
      LOG_LEVEL: 'debug',
      ISSUER: 'https://id.example.com',
      IDENTITY_CONFIG: 'conf/id.json',
      KEYS_DIR: '/srv/keys',
      COOKIE_KEYS: 'new-key-0123456789abcdef, old-key-0123456789abcdef',
      TRUST_PROXY: 'true',
    });
    assert.equal(config.port, 5555);
    assert.equal(config.host, '0.0.0.0');
    assert.equal(config.issuer, 'https://id.example.com');
    assert.equal(config.identityConfig, resolve('conf/id.json'));
    assert.equal(config.keysDir, '/srv/keys');
    assert.deepEqual(config.cookieKeys, ['new-key-0123456789abcdef', 'old-key-0123456789abcdef']);
    assert.equal(config.demoCookieKeys, false);
    assert.equal(config.trustProxy, true);
  });

  it('names every variable of the wrong type', () => {
    const found = problems({ PORT: 'x', TRUST_PROXY: 'maybe', LOG_LEVEL: 'loud' });
    assert.equal(found.length, 3);
    assert.match(found.join('\n'), /^PORT: /m);
    assert.match(found.join('\n'), /^TRUST_PROXY: /m);
    assert.match(found.join('\n'), /^LOG_LEVEL: must be one of/m);
  });

  it('names a bad issuer and short cookie keys together', () => {
    const found = problems({
      ISSUER: 'http://localhost:4444/',
      COOKIE_KEYS: 'long-enough-key-0123456789,short',
    });
    assert.deepEqual(found, [
      `ISSUER: must not end with '/' (tokens' iss must match it byte for byte) (got "http://localhost:4444/")`,
      'COOKIE_KEYS: every key must have at least 16 characters',
    ]);
  });
});

describe('issuerProblem', () => {
  it('accepts origins', () => {
    for (const issuer of ['http://localhost:4444', 'https://id.example.com', 'http://identity:4444']) {
      assert.equal(issuerProblem(issuer), undefined, issuer);
    }
  });

  it('refuses what would make iss differ from what verifiers configure', () => {
    assert.match(issuerProblem('localhost:4444') ?? '', /http\(s\) URL/);
    assert.match(issuerProblem('ftp://x') ?? '', /http\(s\) URL/);
    assert.match(issuerProblem('http://localhost:4444/') ?? '', /must not end with/);
    for (const issuer of ['http://x/identity', 'http://x?a=1', 'http://x#f', 'http://x:80', 'http://X']) {
      assert.match(issuerProblem(issuer) ?? '', /must be an origin/, issuer);
    }
  });
});
