/**
 * Change detection for the file provider that survives the ways files are really replaced: editors and
 * `sed -i` write a new file and rename it over the old one, tools delete and re-create, and the kubelet updates a
 * mounted ConfigMap by re-pointing the `..data` symlink at a new timestamped directory.
 *
 * Node's recursive `fs.watch` (on Linux) holds an inotify watch on each file's inode, so a file replaced by a
 * rename keeps the watch on the old, unlinked inode and is never seen again. Directories are what stay put:
 * here every directory gets its own non-recursive watcher, which reports any entry created, renamed, removed or
 * written, and the set of watched directories follows the tree after each event.
 */

import { type FSWatcher, watch as fsWatch, statSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** Names the kubelet's atomic writer uses for its own entries (`..data`, `..2026_01_01_…`). */
export function isKubeletEntry(name: string): boolean {
  return name.startsWith('..');
}

/** Stops a watcher. */
export interface Watch {
  close(): void;
}

/**
 * Watches `root` and every directory under it (except the kubelet's `..*` entries, whose content is reached
 * through the symlinks beside them); calls `onChange` on every event, raw (the caller throttles).
 */
export function watchTree(root: string, onChange: () => void, onError: (error: Error) => void): Watch {
  const watchers = new Map<string, FSWatcher>();
  let closed = false;
  let syncing = false;
  let again = false;

  const add = (directory: string): boolean => {
    if (watchers.has(directory)) return false;
    try {
      const watcher = fsWatch(directory, () => {
        onChange();
        void sync();
      });
      // A watched directory that disappears can report an error; the next sync drops it.
      watcher.on('error', () => drop(directory));
      watchers.set(directory, watcher);
      return true;
    } catch (error) {
      // Gone between listing and watching: the event that removed it already scheduled a load.
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') onError(error as Error);
      return false;
    }
  };
  const drop = (directory: string) => {
    watchers.get(directory)?.close();
    watchers.delete(directory);
  };

  /** Brings the watched set in line with the tree; runs once at a time, again if asked during a run. */
  const sync = async (): Promise<void> => {
    if (syncing) {
      again = true;
      return;
    }
    syncing = true;
    try {
      do {
        again = false;
        const present = await directories(root);
        if (closed) return;
        for (const directory of watchers.keys()) {
          if (directory !== root && !present.has(directory)) drop(directory);
        }
        let added = false;
        for (const directory of present) if (add(directory)) added = true;
        // Files written into a new directory before its watcher existed: load once more to include them.
        if (added) onChange();
      } while (again && !closed);
    } finally {
      syncing = false;
    }
  };

  add(root);
  void sync();
  return {
    close() {
      closed = true;
      for (const directory of [...watchers.keys()]) drop(directory);
    },
  };
}

/** `root` and every directory under it that exists now, skipping the kubelet's `..*` entries. */
async function directories(root: string): Promise<Set<string>> {
  const found = new Set<string>();
  const visit = async (directory: string) => {
    let entries: import('node:fs').Dirent[];
    try {
      entries = await readdir(directory, { withFileTypes: true });
    } catch {
      return; // removed meanwhile, or unreadable: the load reports it
    }
    found.add(directory);
    for (const entry of entries) {
      if (entry.isDirectory() && !isKubeletEntry(entry.name)) await visit(join(directory, entry.name));
    }
  };
  await visit(root);
  return found;
}

/**
 * Watches one file through its parent directory, so a replaced file is seen like a rewritten one. An event
 * naming the file counts; any other event in the directory counts when the file, symlinks followed, is now a
 * different file or a different version of it (a ConfigMap's `..data` swap names only `..data`).
 */
export function watchFile(file: string, onChange: () => void, onError: (error: Error) => void): Watch {
  const name = basename(file);
  let last = identity(file);
  const watcher = fsWatch(dirname(file), (_event, changed) => {
    const now = identity(file);
    if (changed === null || changed === name || now !== last) {
      last = now;
      onChange();
    }
  });
  watcher.on('error', onError);
  return { close: () => watcher.close() };
}

/** Which file, and which version of it, `file` is now (symlinks followed). */
function identity(file: string): string {
  try {
    const stat = statSync(file, { bigint: true });
    return `${stat.dev}:${stat.ino}:${stat.size}:${stat.mtimeNs}:${stat.ctimeNs}`;
  } catch {
    return 'missing';
  }
}
