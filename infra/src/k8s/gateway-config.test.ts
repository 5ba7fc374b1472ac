import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { loadGatewayDynamicConfig, withEnvDefaults } from './gateway-config.ts';

describe('withEnvDefaults', () => {
  test('renders each env template at its default, leaving the rest of the text alone', () => {
    assert.equal(
      withEnvDefaults('{{ env "FORWARD_AUTH_URL" | default "http://127.0.0.1:4181" }}/auth'),
      'http://127.0.0.1:4181/auth',
    );
    assert.equal(withEnvDefaults('{{env "A"|default ""}}x{{ env "B" | default "y" }}'), 'xy');
    assert.equal(withEnvDefaults('PathPrefix(`/add/`)'), 'PathPrefix(`/add/`)');
  });

  test('refuses any other template rather than comparing it half-rendered', () => {
    assert.throws(() => withEnvDefaults('{{ env "A" }}'), /unsupported template/);
  });
});

describe('loadGatewayDynamicConfig', () => {
  test('merges the routers, middlewares and services of every file, templates rendered', () => {
    const config = loadGatewayDynamicConfig();
    assert.equal(config.routers.pybackend?.service, 'pybackend');
    assert.equal(config.services.pybackend?.loadBalancer.servers[0]?.url, 'http://127.0.0.1:8101');
    assert.deepEqual(
      config.middlewares['auth-rbackend']?.forwardAuth?.address,
      'http://127.0.0.1:4181/auth?aud=model-service',
    );
  });
});
