import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ComposeFileError, parseCompose, parsePort, servicesFor } from './compose-file.ts';

const file = '/srv/project/compose.yaml';

describe('parseCompose', () => {
  const text = `
x-common: &common
  environment: { A: '1', PASSED: null }
  healthcheck: { test: [CMD, node, -e, '0'], interval: 2s, start_period: 1m30s }
services:
  one:
    <<: *common
    build: { context: ., target: one, args: { APP: one } }
    command: [node, src/main.ts]
    ports: ['\${ADDR:-127.0.0.1}:8000:80', '9000:90/udp']
    volumes: ['./conf:/app/conf:ro', 'state:/app/var']
    labels: [traefik.enable=true]
  two:
    profiles: [extra]
    image: x
    environment: [B=2, PASSED]
    depends_on: { one: { condition: service_healthy } }
    healthcheck: { disable: true }
volumes:
  state: {}
`;

  it('applies merge keys, interpolation and the pass-through variables', () => {
    const project = parseCompose(text, file, { PASSED: 'from-shell' });
    const one = project.services.get('one');
    assert.deepEqual(one?.environment, { A: '1', PASSED: 'from-shell' });
    assert.deepEqual(project.services.get('two')?.environment, { B: '2', PASSED: 'from-shell' });
    assert.deepEqual(one?.ports, [
      { hostIp: '127.0.0.1', hostPort: 8000, containerPort: 80, protocol: 'tcp' },
      { hostIp: '0.0.0.0', hostPort: 9000, containerPort: 90, protocol: 'udp' },
    ]);
    assert.deepEqual(one?.volumes, [{ source: '/srv/project/conf', target: '/app/conf', readOnly: true }]);
    assert.deepEqual(one?.namedVolumes, [{ name: 'state', target: '/app/var', readOnly: false }]);
    assert.deepEqual([...project.volumes], ['state']);
    assert.deepEqual(one?.labels, { 'traefik.enable': 'true' });
    assert.deepEqual(one?.build, {
      context: '/srv/project',
      dockerfile: '/srv/project/Dockerfile',
      target: 'one',
      args: { APP: 'one' },
    });
  });

  it('reads health checks in milliseconds and depends_on with conditions', () => {
    const project = parseCompose(text, file);
    assert.deepEqual(project.services.get('one')?.healthcheck, {
      test: { kind: 'exec', argv: ['node', '-e', '0'] },
      intervalMs: 2000,
      startPeriodMs: 90_000,
    });
    assert.deepEqual(project.services.get('two')?.healthcheck, { test: 'none' });
    assert.deepEqual(project.services.get('two')?.dependsOn, { one: 'service_healthy' });
  });

  it('starts the services without a profile, and those of the profiles asked for', () => {
    const project = parseCompose(text, file);
    assert.deepEqual(
      servicesFor(project).map((s) => s.name),
      ['one'],
    );
    assert.deepEqual(
      servicesFor(project, ['extra']).map((s) => s.name),
      ['one', 'two'],
    );
  });

  it('refuses a dependency on a service that does not exist, ports it cannot place, undeclared volumes', () => {
    assert.throws(() => parseCompose('services:\n  a:\n    depends_on: [b]\n', file), /no service named b/);
    assert.throws(() => parsePort('8000', 'p'), ComposeFileError);
    assert.throws(() => parsePort('8000-8001:80', 'p'), /ranges/);
    assert.throws(() => parsePort('1:70000', 'p'), /bad port/);
    assert.throws(
      () => parseCompose('services:\n  a:\n    volumes: [keys:/var/keys]\n', file),
      /keys is not declared under volumes/,
    );
    assert.throws(() => parseCompose('services:\n  a:\n    volumes: [/var/keys]\n', file), /anonymous/);
  });
});
