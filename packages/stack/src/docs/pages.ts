/** The pages whose console blocks `npm test` executes: the root README, each app's README, and docs/. */
import { existsSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';

function markdownUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.md'))
    .map((entry) => join(entry.parentPath, entry.name));
}

/** Absolute paths of the executable pages under `root`, in a stable order. */
export function executablePages(root: string): string[] {
  const apps = readdirSync(join(root, 'apps'))
    .map((app) => join(root, 'apps', app, 'README.md'))
    .filter((path) => existsSync(path));
  const docs = markdownUnder(join(root, 'docs')).sort();
  return [join(root, 'README.md'), ...apps.sort(), ...docs];
}

/** A page's path as the reader knows it, for test names. */
export const pageName = (root: string, path: string): string => relative(root, path);
