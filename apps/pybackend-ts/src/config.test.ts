import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EnvError } from '@gateway-pattern/service-kit';
import { loadConfig } from './config.ts';

describe('loadConfig', () => {
  it('has local defaults', () => {
    assert.deepEqual(loadConfig({}), {
      host: '127.0.0.1',
      port: 8101,
      logLevel: 'info',
      appPrefix: 'Python Backend',
      modelServiceUrl: new URL('http://127.0.0.1:8102'),
      upstreamTimeoutMs: 5000,
      identityAssertion: null,
    });
  });

  it('turns identity assertions on with the JWKS URL, naming what else they need', () => {
    const config = loadConfig({
      IDENTITY_ASSERTION_JWKS_URL: 'http://127.0.0.1:4181/.well-known/jwks.json',
      IDENTITY_ASSERTION_ISSUER: 'forward-auth',
      IDENTITY_ASSERTION_AUDIENCE: 'pybackend-ts',
    });
    assert.deepEqual(config.identityAssertion, {
      jwksUrl: new URL('http://127.0.0.1:4181/.well-known/jwks.json'),
      issuer: 'forward-auth',
      audiences: ['pybackend-ts'],
    });
    assert.throws(
      () => loadConfig({ IDENTITY_ASSERTION_JWKS_URL: 'http://127.0.0.1:4181/.well-known/jwks.json' }),
      (err: unknown) =>
        err instanceof EnvError &&
        /IDENTITY_ASSERTION_ISSUER: required/.test(err.message) &&
        /IDENTITY_ASSERTION_AUDIENCE: required/.test(err.message),
    );
  });

  it('reads overrides', () => {
    const config = loadConfig({
      PORT: '9000',
      HOST: '0.0.0.0',
      APP_PREFIX: 'Relay',
      MODEL_SERVICE_URL: 'http://model:8000/v1/',
      UPSTREAM_TIMEOUT_MS: '250',
    });
    assert.equal(config.port, 9000);
    assert.equal(config.host, '0.0.0.0');
    assert.equal(config.appPrefix, 'Relay');
    assert.equal(config.modelServiceUrl.href, 'http://model:8000/v1/');
    assert.equal(config.upstreamTimeoutMs, 250);
  });

  it('rejects a MODEL_SERVICE_URL that is not a plain http(s) base URL', () => {
    for (const url of ['model:8102', 'ftp://model', 'http://model/?x=1', 'not a url']) {
      assert.throws(
        () => loadConfig({ MODEL_SERVICE_URL: url }),
        (err: unknown) => err instanceof EnvError && /MODEL_SERVICE_URL/.test(err.message),
        url,
      );
    }
  });

  it('rejects a bad timeout or port, naming the variable', () => {
    assert.throws(
      () => loadConfig({ UPSTREAM_TIMEOUT_MS: '0', PORT: '70000' }),
      (err: unknown) =>
        err instanceof EnvError && /UPSTREAM_TIMEOUT_MS/.test(err.message) && /PORT/.test(err.message),
    );
  });
});
