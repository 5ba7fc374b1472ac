import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertionVerifierOptions } from './config.ts';

describe('assertionVerifierOptions', () => {
  it('is off without a JWKS URL', () => {
    const problems: string[] = [];
    assert.equal(assertionVerifierOptions({}, problems), null);
    assert.deepEqual(problems, []);
  });

  it('reads the URL, the issuer and comma-separated audiences', () => {
    const problems: string[] = [];
    const options = assertionVerifierOptions(
      {
        IDENTITY_ASSERTION_JWKS_URL: 'http://forward-auth:4181/.well-known/jwks.json',
        IDENTITY_ASSERTION_ISSUER: 'forward-auth',
        IDENTITY_ASSERTION_AUDIENCE: 'model-service, rbackend',
      },
      problems,
    );
    assert.deepEqual(problems, []);
    assert.deepEqual(options, {
      jwksUrl: new URL('http://forward-auth:4181/.well-known/jwks.json'),
      issuer: 'forward-auth',
      audiences: ['model-service', 'rbackend'],
    });
  });

  it('names each missing or bad variable', () => {
    const problems: string[] = [];
    assert.equal(
      assertionVerifierOptions({ IDENTITY_ASSERTION_JWKS_URL: 'forward-auth:4181' }, problems),
      null,
    );
    assert.deepEqual(problems, [
      'IDENTITY_ASSERTION_JWKS_URL: must be an absolute http(s) URL (got "forward-auth:4181")',
      'IDENTITY_ASSERTION_ISSUER: required with IDENTITY_ASSERTION_JWKS_URL',
      "IDENTITY_ASSERTION_AUDIENCE: required with IDENTITY_ASSERTION_JWKS_URL (this backend's name)",
    ]);
    const orphans: string[] = [];
    assertionVerifierOptions({ IDENTITY_ASSERTION_AUDIENCE: 'x' }, orphans);
    assert.deepEqual(orphans, ['IDENTITY_ASSERTION_JWKS_URL: required by IDENTITY_ASSERTION_AUDIENCE']);
  });
});
