/**
 * `stripPrefix` (Traefik §2.3): removes the first matching prefix from the path (a plain string prefix, no
 * segment boundary), ensures a leading `/`, and adds the removed prefix as `X-Forwarded-Prefix`.
 * A stripped path that cleaning would change (`/api./foo` → `/./foo`, `/api//foo` → `//foo`) gets 400, as in
 * Traefik: the router matched a path the backend would read as another.
 */

import type { StripPrefixConfig } from '../config/dynamic-schema.ts';
import { httpError } from './http-error.ts';
import type { Middleware } from './types.ts';
import { isJoinedPath } from './url-path.ts';

/** Builds a stripPrefix middleware. */
export function stripPrefix(options: StripPrefixConfig): Middleware {
  const prefixes = options.prefixes.map((prefix) => ({
    prefix,
    bytes: Buffer.from(prefix),
    // A prefix of plain ASCII without `%` matches a path without `%` exactly when the path starts with it.
    plain: !prefix.includes('%') && Buffer.byteLength(prefix) === prefix.length,
  }));
  // Traefik v3 keeps `forceSlash` as a deprecated option with default false: an emptied path stays empty
  // (and is still sent as `/`).
  const forceSlash = options.forceSlash === true;
  return (next) => (exchange) => {
    const path = exchange.path;
    const escaped = path.includes('%');
    for (const { prefix, bytes, plain } of prefixes) {
      const rest =
        plain && !escaped
          ? path.startsWith(prefix)
            ? path.slice(prefix.length)
            : undefined
          : stripEscaped(path, bytes);
      if (rest === undefined) continue;
      const stripped = rest === '' ? (forceSlash ? '/' : '') : rest.startsWith('/') ? rest : `/${rest}`;
      if (!isJoinedPath(stripped)) {
        httpError(exchange, 400);
        return Promise.resolve();
      }
      exchange.path = stripped;
      const prior = exchange.headers['x-forwarded-prefix'];
      exchange.headers['x-forwarded-prefix'] = prior === undefined ? [prefix] : [...prior, prefix];
      break;
    }
    return next(exchange);
  };
}

/**
 * Removes `prefix` (decoded bytes) from the start of an escaped path, counting each `%XX` as the one byte it
 * encodes, as Traefik strips `RawPath`. Returns undefined when the path does not start with the prefix.
 */
function stripEscaped(path: string, prefix: Uint8Array): string | undefined {
  if (prefix.length === 0) return path;
  let i = 0;
  let matched = 0;
  while (matched < prefix.length) {
    if (i >= path.length) return undefined;
    let byte: number;
    let width = 1;
    const code = path.charCodeAt(i);
    if (code === 37 /* % */ && /^[0-9a-fA-F]{2}$/.test(path.slice(i + 1, i + 3))) {
      byte = Number.parseInt(path.slice(i + 1, i + 3), 16);
      width = 3;
    } else if (code < 0x80) {
      byte = code;
    } else {
      // A raw non-ASCII character: compare its UTF-8 bytes.
      const char = String.fromCodePoint(path.codePointAt(i) ?? 0);
      const encoded = Buffer.from(char);
      for (const b of encoded) if (prefix[matched++] !== b) return undefined;
      i += char.length;
      continue;
    }
    if (prefix[matched] !== byte) return undefined;
    matched++;
    i += width;
  }
  return path.slice(i);
}
