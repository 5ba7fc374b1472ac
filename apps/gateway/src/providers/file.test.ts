import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ProviderLoadError } from '../errors.ts';
import { FileProvider } from './file.ts';

describe('file provider', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gateway-file-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const directory = async (name: string, files: Record<string, string>) => {
    const path = join(dir, name);
    await mkdir(path, { recursive: true });
    for (const [file, text] of Object.entries(files)) {
      await mkdir(join(path, file, '..'), { recursive: true });
      await writeFile(join(path, file), text);
    }
    return path;
  };

  it('merges .yml/.yaml files in name order, subdirectories included, keeping the first duplicate', async () => {
    const path = await directory('merge', {
      'b.yaml':
        'http:\n  routers:\n    shared: {rule: "Path(`/b`)", service: s}\n    only-b: {rule: "Path(`/ob`)", service: s}\n',
      'a.yml': 'http:\n  routers:\n    shared: {rule: "Path(`/a`)", service: s}\n',
      'c/nested.yml': 'http:\n  services:\n    s:\n      loadBalancer: {servers: [{url: "http://x"}]}\n',
      'notes.txt': 'not config',
      'old.toml': '[http]',
    });
    const provider = new FileProvider({ directory: path, env: {}, throttleMs: 10 });
    const { config, notices, files } = await provider.load();
    assert.deepEqual(
      files.map((f) => f.slice(path.length + 1)),
      ['a.yml', 'b.yaml', join('c', 'nested.yml')],
    );
    assert.deepEqual([...config.routers.keys()], ['shared', 'only-b']);
    assert.deepEqual(config.routers.get('shared')?.raw, { rule: 'Path(`/a`)', service: 's' });
    assert.equal(config.routers.get('shared')?.source, join(path, 'a.yml'));
    assert.ok(config.services.has('s'));
    assert.ok(notices.some((n) => /router "shared" defined again in .*b\.yaml is skipped/.test(n)));
    assert.ok(notices.some((n) => /old\.toml: TOML is not supported/.test(n)));
  });

  it('renders templates with the given environment before parsing', async () => {
    const path = await directory('template', {
      'svc.yml': `http:\n  services:\n    s:\n      loadBalancer:\n        servers:\n          - url: '{{ env "UP" | default "http://127.0.0.1:1" }}'\n`,
    });
    const load = (env: Record<string, string>) =>
      new FileProvider({ directory: path, env, throttleMs: 10 }).load();
    const url = async (env: Record<string, string>) =>
      ((await load(env)).config.services.get('s')!.raw as { loadBalancer: { servers: { url: string }[] } })
        .loadBalancer.servers[0]?.url;
    assert.equal(await url({}), 'http://127.0.0.1:1');
    assert.equal(await url({ UP: 'http://10.1.1.1:80' }), 'http://10.1.1.1:80');
  });

  it('rejects the whole load when one file is invalid YAML, naming the file', async () => {
    const path = await directory('yaml-error', {
      'a.yml': 'http:\n  routers: {}\n',
      'b.yml': 'http:\n  routers:\n    r: {rule: [\n',
    });
    await assert.rejects(
      new FileProvider({ directory: path, env: {}, throttleMs: 10 }).load(),
      (error: unknown) => {
        assert.ok(error instanceof ProviderLoadError);
        assert.equal(error.code, 'ERR_PROVIDER_LOAD');
        assert.equal(error.file, join(path, 'b.yml'));
        assert.match(error.message, /b\.yml: invalid YAML \(line \d+, column \d+\)/);
        return true;
      },
    );
  });

  it('rejects the whole load on a template error, naming the file', async () => {
    const path = await directory('template-error', { 'a.yml': 'x: {{ secret "K" }}\n' });
    await assert.rejects(
      new FileProvider({ directory: path, env: {}, throttleMs: 10 }).load(),
      (error: unknown) =>
        error instanceof ProviderLoadError &&
        error.message.endsWith(`template: ${join(path, 'a.yml')}:1: function "secret" not defined`),
    );
  });

  it('rejects a section of the wrong shape and accepts empty files', async () => {
    const bad = await directory('shape', { 'a.yml': 'http:\n  routers: [a, b]\n' });
    await assert.rejects(
      new FileProvider({ directory: bad, env: {}, throttleMs: 10 }).load(),
      /"http.routers" must be a map/,
    );
    const empty = await directory('empty', { 'a.yml': '', 'b.yml': 'http:\n' });
    const { config } = await new FileProvider({ directory: empty, env: {}, throttleMs: 10 }).load();
    assert.equal(config.routers.size, 0);
  });

  it('reads a single file with filename', async () => {
    const path = await directory('single', {
      'one.yml': 'HTTP:\n  Routers:\n    r: {rule: "Path(`/`)", service: s}\n',
    });
    const { config } = await new FileProvider({
      filename: join(path, 'one.yml'),
      env: {},
      throttleMs: 10,
    }).load();
    assert.deepEqual([...config.routers.keys()], ['r']);
  });
});
