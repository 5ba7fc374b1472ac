import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RuntimeInfo } from '../../runtime/info.ts';
import { ConfigHistory } from './history.ts';

const empty: RuntimeInfo = {
  routers: new Map(),
  services: new Map(),
  middlewares: new Map(),
  serversTransports: new Map(),
};

describe('ConfigHistory', () => {
  it('keeps the newest entries up to its limit, file names relative to the provider directory', () => {
    const history = new ConfigHistory({ info: () => empty, base: '/etc/gw', limit: 3 });
    for (let i = 0; i < 5; i++) {
      history.record({ status: 'applied', files: [`/etc/gw/sub/${i}.yml`], recovered: [] });
    }
    const entries = history.entries();
    assert.deepEqual(
      entries.map((e) => e.files),
      [['sub/4.yml'], ['sub/3.yml'], ['sub/2.yml']],
    );
    assert.deepEqual(
      entries.map((e) => e.id),
      [5, 4, 3],
    );
    assert.deepEqual(entries[0]?.routers, { total: 0, warnings: 0, errors: 0 });
  });

  it('records rejections with their file and error, and leaves out loads that changed and fixed nothing', () => {
    const history = new ConfigHistory({ info: () => empty, base: '/etc/gw' });
    history.record({
      status: 'rejected',
      file: '/etc/gw/bad.yml',
      error: new Error('/etc/gw/bad.yml: invalid YAML'),
    });
    history.record({ status: 'rejected', file: undefined, error: new Error('cannot read directory') });
    history.record({ status: 'unchanged', files: ['/etc/gw/a.yml'], recovered: [] });
    history.record({ status: 'unchanged', files: ['/etc/gw/a.yml'], recovered: ['/etc/gw/bad.yml'] });
    history.record({ status: 'applied', files: ['/elsewhere/x.yml'], recovered: [] });
    const [outside, fixed, noFile, bad, ...rest] = history.entries();
    assert.equal(rest.length, 0);
    assert.deepEqual(
      outside?.files,
      ['/elsewhere/x.yml'],
      'a file outside the directory keeps its full path',
    );
    assert.deepEqual(fixed?.recovered, ['bad.yml']);
    assert.equal(noFile?.file, undefined);
    assert.equal(noFile?.error, 'cannot read directory');
    assert.equal(bad?.file, 'bad.yml');
  });
});
