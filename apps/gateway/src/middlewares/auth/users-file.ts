/** The entries of a basicAuth or digestAuth `usersFile` (read when the middleware is built, as Traefik). */

import { readFileSync } from 'node:fs';
import { ResourceError } from '../../errors.ts';

/**
 * The non-empty lines of `path` that are not `#` comments, trimmed. Throws a ResourceError naming the
 * middleware type when the file cannot be read (relative paths are from the working directory, as Traefik).
 */
export function usersFileEntries(path: string, middleware: 'basicAuth' | 'digestAuth'): string[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ResourceError(`${middleware}: cannot read usersFile: ${(error as Error).message}`, {
      cause: error,
    });
  }
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((entry) => entry !== '' && !entry.startsWith('#'));
}
