import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HostPaths, UnmappedPathError } from './host-paths.ts';

describe('HostPaths', () => {
  const paths = new HostPaths(
    [{ source: '/repo/infra/gateway', target: '/app/infra/gateway', readOnly: true }],
    '/repo',
  );

  it('prefers the bind mount over the image directory, and maps the rest of /app onto the checkout', () => {
    assert.equal(paths.get('/app/infra/gateway/gateway.yml'), '/repo/infra/gateway/gateway.yml');
    assert.equal(paths.get('/app/apps/adder'), '/repo/apps/adder');
    assert.equal(paths.get('/app'), '/repo');
    assert.equal(paths.find('/application'), undefined);
    assert.throws(() => paths.get('/etc/passwd'), UnmappedPathError);
  });

  it('maps arguments and values that are, or end in, container paths', () => {
    assert.equal(paths.value('/app/data/x.csv'), '/repo/data/x.csv');
    assert.equal(
      paths.value('--configFile=/app/infra/gateway/gateway.yml'),
      '--configFile=/repo/infra/gateway/gateway.yml',
    );
    assert.equal(paths.value('http://app:80/app'), 'http://app:80/app');
    assert.equal(paths.value('src/main.ts'), 'src/main.ts');
  });
});
