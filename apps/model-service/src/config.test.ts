import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EnvError } from '@gateway-pattern/service-kit';
import { DEFAULT_ADMISSION_DATA } from './admission/model.ts';
import { DEFAULT_MODEL_PATH, loadConfig } from './config.ts';
import { DEFAULT_SCORE_BODY_LIMIT, DEFAULT_SCORE_MAX_ROWS } from './routes/score.ts';

describe('loadConfig', () => {
  it("has local defaults: port 8102 on loopback, the repository's data and the built forest", () => {
    assert.deepEqual(loadConfig({}), {
      host: '127.0.0.1',
      port: 8102,
      logLevel: 'info',
      appPrefix: 'R Backend',
      modelPath: DEFAULT_MODEL_PATH,
      admissionData: DEFAULT_ADMISSION_DATA,
      scoreMaxRows: DEFAULT_SCORE_MAX_ROWS,
      scoreBodyLimit: DEFAULT_SCORE_BODY_LIMIT,
      identityAssertion: null,
    });
    assert.match(DEFAULT_MODEL_PATH, /apps\/model-service\/var\/boston-rf\.json$/);
    assert.match(DEFAULT_ADMISSION_DATA, /\/data\/binary\.csv$/);
    assert.doesNotMatch(DEFAULT_ADMISSION_DATA, /apps\//);
  });

  it('reads overrides', () => {
    const config = loadConfig({
      PORT: '9000',
      HOST: '0.0.0.0',
      LOG_LEVEL: 'warn',
      APP_PREFIX: 'Admissions',
      MODEL_PATH: '/models/rf.json',
      ADMISSION_DATA: '/data/admit.csv',
      SCORE_MAX_ROWS: '50',
      SCORE_BODY_LIMIT: '65536',
    });
    assert.deepEqual(config, {
      host: '0.0.0.0',
      port: 9000,
      logLevel: 'warn',
      appPrefix: 'Admissions',
      modelPath: '/models/rf.json',
      admissionData: '/data/admit.csv',
      scoreMaxRows: 50,
      scoreBodyLimit: 65536,
      identityAssertion: null,
    });
  });

  it('rejects bad values, naming every variable', () => {
    assert.throws(
      () => loadConfig({ PORT: '70000', SCORE_MAX_ROWS: '0' }),
      (err: unknown) =>
        err instanceof EnvError &&
        /PORT: must be <= 65535/.test(err.message) &&
        /SCORE_MAX_ROWS/.test(err.message),
    );
    assert.throws(
      () => loadConfig({ LOG_LEVEL: 'loud' }),
      (err: unknown) => err instanceof EnvError && /LOG_LEVEL.*"loud"/.test(err.message),
    );
  });

  it('turns identity assertions on with the JWKS URL, and refuses them half-configured', () => {
    const config = loadConfig({
      IDENTITY_ASSERTION_JWKS_URL: 'http://forward-auth:4181/.well-known/jwks.json',
      IDENTITY_ASSERTION_ISSUER: 'forward-auth',
      IDENTITY_ASSERTION_AUDIENCE: 'model-service',
    });
    assert.deepEqual(config.identityAssertion?.audiences, ['model-service']);
    assert.throws(
      () => loadConfig({ IDENTITY_ASSERTION_ISSUER: 'forward-auth' }),
      (err: unknown) =>
        err instanceof EnvError &&
        /IDENTITY_ASSERTION_JWKS_URL: required by IDENTITY_ASSERTION_ISSUER/.test(err.message),
    );
  });
});
