/**
 * Traefik's FileOrContent: a certificate, key or CA given either as a file path or as the PEM text itself.
 * Traefik treats anything that is not an existing file as content, so a mistyped path silently becomes a
 * CA that matches nothing; here a value that is not PEM must be a readable file, or loading fails naming it.
 */

import { readFileSync, statSync } from 'node:fs';

/** CA bundles run to a few hundred kilobytes; anything much larger is not one. */
const maxBytes = 16 * 1024 * 1024;

/** The PEM text of `value` (read from the file it names unless it is PEM itself). Throws naming `field`. */
export function readFileOrContent(value: string, field: string): string {
  if (value.includes('-----BEGIN ')) return value;
  let text: string;
  try {
    // A device or FIFO (/dev/stdin, /dev/zero) would block or never end: only regular files are read.
    const stats = statSync(value);
    if (!stats.isFile()) throw new Error(`${field}: "${value}" is not a regular file`);
    if (stats.size > maxBytes) throw new Error(`${field}: "${value}" is larger than ${maxBytes} bytes`);
    text = readFileSync(value, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === undefined) throw error;
    throw new Error(`${field}: cannot read "${value}" (${code}); give a file path or the PEM content`);
  }
  if (!text.includes('-----BEGIN ')) throw new Error(`${field}: "${value}" holds no PEM block`);
  return text;
}
