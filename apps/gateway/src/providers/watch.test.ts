import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, renameSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { FileProvider } from './file.ts';

// Every change is made synchronously, as `sed -i`, vim or the kubelet make it: the temporary file or directory
// is created and renamed into place before the watcher can look at it.

const throttleMs = 20;
const rounds = 5;
/** A change must be seen well within this; far above the throttle, far below the test timeout. */
const seenWithinMs = 3000;

const config = (path: string) =>
  `http:\n  routers:\n    r:\n      rule: "Path(\`${path}\`)"\n      service: s\n`;

/** Saves `file` the way `sed -i` and most editors do: a new file beside it, renamed over it. */
function saveByRename(file: string, text: string): void {
  const temporary = join(file, '..', `sed${Math.random().toString(36).slice(2, 8)}`);
  writeFileSync(temporary, text);
  renameSync(temporary, file);
}

/** A mounted ConfigMap as the kubelet writes it: `name -> ..data/name`, `..data -> ..<timestamp>`. */
class ConfigMapVolume {
  readonly dir: string;
  #generation = 0;
  #current: string | undefined;

  constructor(dir: string, files: Record<string, string>) {
    this.dir = dir;
    mkdirSync(dir, { recursive: true });
    this.update(files);
    for (const name of Object.keys(files)) symlinkSync(join('..data', name), join(dir, name));
  }

  /** A new timestamped directory, `..data` re-pointed at it by an atomic rename, the old one removed. */
  update(files: Record<string, string>): void {
    const next = `..2026_01_01_00_00_00.${String(++this.#generation).padStart(9, '0')}`;
    mkdirSync(join(this.dir, next));
    for (const [name, text] of Object.entries(files)) writeFileSync(join(this.dir, next, name), text);
    symlinkSync(next, join(this.dir, '..data_tmp'));
    renameSync(join(this.dir, '..data_tmp'), join(this.dir, '..data'));
    if (this.#current !== undefined) rmSync(join(this.dir, this.#current), { recursive: true });
    this.#current = next;
  }
}

/** A watching provider, and a way to wait until its configuration shows router `r` with a rule, or none. */
function watched(options: { directory: string } | { filename: string }) {
  const provider = new FileProvider({ ...options, env: {}, throttleMs });
  let changes = 0;
  const errors: Error[] = [];
  provider.watch(
    () => changes++,
    (error) => errors.push(error),
  );
  const rule = async () => {
    const { config } = await provider.load();
    return (config.routers.get('r')?.raw as { rule?: string } | undefined)?.rule;
  };
  return {
    provider,
    errors,
    /** Waits for a change notification after which a load shows `expected` (undefined: no router). */
    async sees(expected: string | undefined, what: string): Promise<void> {
      const before = changes;
      const deadline = Date.now() + seenWithinMs;
      while (Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, throttleMs));
        if (changes > before && (await rule().catch(() => 'unreadable')) === expected) {
          // Let notifications still due for this change land before the next change is made.
          await new Promise((resolve) => setTimeout(resolve, 3 * throttleMs));
          return;
        }
      }
      assert.fail(`${what}: not seen within ${seenWithinMs} ms (notifications: ${changes - before})`);
    },
  };
}

describe('file provider watch: changes keep being seen', () => {
  const root = mkdtempSync(join(tmpdir(), 'gateway-watch-'));
  const providers: FileProvider[] = [];
  after(() => {
    for (const provider of providers) provider.close();
    rmSync(root, { recursive: true, force: true });
  });
  const start = (options: { directory: string } | { filename: string }) => {
    const watcher = watched(options);
    providers.push(watcher.provider);
    return watcher;
  };

  it('directory: repeated rename-based saves (sed -i, vim)', async () => {
    const dir = join(root, 'rename');
    mkdirSync(dir);
    writeFileSync(join(dir, 'a.yml'), config('/0'));
    const watcher = start({ directory: dir });
    for (let i = 1; i <= rounds; i++) {
      saveByRename(join(dir, 'a.yml'), config(`/${i}`));
      await watcher.sees(`Path(\`/${i}\`)`, `save ${i}`);
    }
    assert.deepEqual(watcher.errors, []);
  });

  it('directory: repeated rename-based saves in a subdirectory, and in a subdirectory created later', async () => {
    const dir = join(root, 'nested');
    mkdirSync(join(dir, 'sub'), { recursive: true });
    writeFileSync(join(dir, 'sub', 'a.yml'), config('/0'));
    const watcher = start({ directory: dir });
    for (let i = 1; i <= rounds; i++) {
      saveByRename(join(dir, 'sub', 'a.yml'), config(`/${i}`));
      await watcher.sees(`Path(\`/${i}\`)`, `save ${i}`);
    }
    rmSync(join(dir, 'sub'), { recursive: true });
    await watcher.sees(undefined, 'subdirectory removed');
    mkdirSync(join(dir, 'later'));
    writeFileSync(join(dir, 'later', 'a.yml'), config('/later'));
    await watcher.sees('Path(`/later`)', 'new subdirectory');
    for (let i = 1; i <= rounds; i++) {
      saveByRename(join(dir, 'later', 'a.yml'), config(`/later${i}`));
      await watcher.sees(`Path(\`/later${i}\`)`, `save ${i} in the new subdirectory`);
    }
  });

  it('directory: repeated deletes and re-creates', async () => {
    const dir = join(root, 'recreate');
    mkdirSync(dir);
    writeFileSync(join(dir, 'a.yml'), config('/0'));
    const watcher = start({ directory: dir });
    for (let i = 1; i <= rounds; i++) {
      unlinkSync(join(dir, 'a.yml'));
      await watcher.sees(undefined, `delete ${i}`);
      writeFileSync(join(dir, 'a.yml'), config(`/${i}`));
      await watcher.sees(`Path(\`/${i}\`)`, `re-create ${i}`);
    }
  });

  it('directory: repeated ConfigMap updates (..data symlink swap), each file loaded once', async () => {
    const volume = new ConfigMapVolume(join(root, 'configmap-dir'), { 'a.yml': config('/0') });
    const watcher = start({ directory: volume.dir });
    const loaded = await watcher.provider.load();
    assert.deepEqual(loaded.files, [join(volume.dir, 'a.yml')], "the kubelet's ..* entries are not loaded");
    assert.deepEqual(loaded.notices, []);
    for (let i = 1; i <= rounds; i++) {
      volume.update({ 'a.yml': config(`/${i}`) });
      await watcher.sees(`Path(\`/${i}\`)`, `update ${i}`);
    }
  });

  it('filename: repeated rename-based saves, in-place writes, deletes and re-creates', async () => {
    const dir = join(root, 'single');
    mkdirSync(dir);
    const file = join(dir, 'dynamic.yml');
    writeFileSync(file, config('/0'));
    const watcher = start({ filename: file });
    for (let i = 1; i <= rounds; i++) {
      saveByRename(file, config(`/${i}`));
      await watcher.sees(`Path(\`/${i}\`)`, `save ${i}`);
      writeFileSync(file, config(`/in-place${i}`));
      await watcher.sees(`Path(\`/in-place${i}\`)`, `in-place write ${i}`);
      unlinkSync(file);
      writeFileSync(file, config(`/again${i}`));
      await watcher.sees(`Path(\`/again${i}\`)`, `delete and re-create ${i}`);
    }
  });

  it('filename: repeated ConfigMap updates (the file is a symlink through ..data)', async () => {
    const volume = new ConfigMapVolume(join(root, 'configmap-file'), { 'dynamic.yml': config('/0') });
    const watcher = start({ filename: join(volume.dir, 'dynamic.yml') });
    for (let i = 1; i <= rounds; i++) {
      volume.update({ 'dynamic.yml': config(`/${i}`) });
      await watcher.sees(`Path(\`/${i}\`)`, `update ${i}`);
    }
  });
});
