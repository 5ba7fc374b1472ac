import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EnvError } from '@gateway-pattern/service-kit';
import { loadConfig } from './config.ts';

describe('loadConfig', () => {
  it('defaults to port 4181 on 127.0.0.1 with no static tokens', () => {
    assert.deepEqual(loadConfig({}), { host: '127.0.0.1', port: 4181, logLevel: 'info', staticTokens: [] });
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
