import { type FSWatcher, watch } from 'node:fs';
import { JWKS_FILE, requireKeys, type SigningKey } from './keystore.ts';

/** How long to wait after a change before reading, so one write (temporary file + rename) is read once. */
const SETTLE_MS = 50;

/**
 * Watches the keys directory and calls `onKeys` with the keys whenever `jwks.json` changes (rotate-keys replaces it
 * atomically). A file that cannot be read or is invalid goes to `onError`, and the caller keeps its current keys.
 */
export function watchKeys(
  dir: string,
  current: readonly SigningKey[],
  onKeys: (keys: SigningKey[]) => void,
  onError: (err: unknown) => void,
): { close(): void } {
  let last = current.map((key) => key.kid).join(' ');
  let timer: NodeJS.Timeout | undefined;
  const reload = async () => {
    try {
      const keys = await requireKeys(dir);
      const kids = keys.map((key) => key.kid).join(' ');
      if (kids === last) return;
      last = kids;
      onKeys(keys);
    } catch (err) {
      onError(err);
    }
  };
  const watcher: FSWatcher = watch(dir, { persistent: false }, (_event, file) => {
    if (file !== null && file !== JWKS_FILE) return;
    clearTimeout(timer);
    timer = setTimeout(() => void reload(), SETTLE_MS);
  });
  watcher.on('error', onError);
  return {
    close: () => {
      clearTimeout(timer);
      watcher.close();
    },
  };
}
