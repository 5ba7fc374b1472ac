/**
 * Traefik's FileOrContent: a certificate, key or CA given either as a file path or as the PEM text itself.
 * Traefik treats anything that is not an existing file as content, so a mistyped path silently becomes a
 * CA that matches nothing; here a value that is not PEM must be a readable file, or loading fails naming it.
 */

import { readFileSync } from 'node:fs';

/** The PEM text of `value` (read from the file it names unless it is PEM itself). Throws naming `field`. */
export function readFileOrContent(value: string, field: string): string {
  if (value.includes('-----BEGIN ')) return value;
  let text: string;
  try {
    text = readFileSync(value, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new Error(`${field}: cannot read "${value}" (${code}); give a file path or the PEM content`);
  }
  if (!text.includes('-----BEGIN ')) throw new Error(`${field}: "${value}" holds no PEM block`);
  return text;
}
