/**
 * Go's URL path rules, as the path-rewriting middlewares (stripPrefix, stripPrefixRegex, addPrefix,
 * replacePath, replacePathRegex) see them in Traefik: a request carries its path decoded (`URL.Path`, which
 * prefixes and most regexps are matched against) and escaped (`EscapedPath()`, what is sent on). The exchange
 * holds the escaped form; these helpers give the decoded one, clean it as `URL.JoinPath` does, and turn a
 * rewritten path into one Go would send.
 */

import type { RE2JS } from 're2js';

/** Go's `url.EscapeError`: a `%` not followed by two hex digits. */
export class PathEscapeError extends Error {
  readonly code = 'ERR_PATH_ESCAPE';
}

const hexValue = (code: number): number =>
  code >= 48 && code <= 57
    ? code - 48
    : code >= 65 && code <= 70
      ? code - 55
      : code >= 97 && code <= 102
        ? code - 87
        : -1;

/** Go's `url.PathUnescape`: the bytes the escaped path stands for. Throws {@link PathEscapeError}. */
export function unescapePathBytes(escaped: string): Buffer {
  const raw = Buffer.from(escaped);
  if (!raw.includes(37 /* % */)) return raw;
  const out = Buffer.allocUnsafe(raw.length);
  let length = 0;
  for (let i = 0; i < raw.length; i++) {
    const byte = raw[i] as number;
    if (byte !== 37) {
      out[length++] = byte;
      continue;
    }
    const high = hexValue(raw[i + 1] ?? -1);
    const low = hexValue(raw[i + 2] ?? -1);
    if (high < 0 || low < 0) {
      const bad = raw.subarray(i, Math.min(i + 3, raw.length)).toString('latin1');
      throw new PathEscapeError(`invalid URL escape "${bad}"`);
    }
    out[length++] = high * 16 + low;
    i += 2;
  }
  return out.subarray(0, length);
}

/** The decoded path (Go's `URL.Path`) as text; bytes that are not UTF-8 become U+FFFD. Throws on bad escapes. */
export function decodePath(escaped: string): string {
  return escaped.includes('%') ? unescapePathBytes(escaped).toString('utf8') : escaped;
}

// What may appear as is in an escaped path (Go's `validEncoded` with `encodePath`), and what Go's `escape`
// leaves as is when it has to encode a path itself.
const validInEscaped = new Set("!$&'()*+,;=:@[]%/-._~");
const keptByEscape = new Set('$&+,/:;=@-._~');
const isAlnum = (c: string): boolean => /^[A-Za-z0-9]$/.test(c);

/** Go's `EscapedPath()` for a path set from `raw`: `raw` when it is a valid escaped path, else re-escaped. */
export function escapedPathOf(raw: string): string {
  for (const c of raw) if (!isAlnum(c) && !validInEscaped.has(c)) return escapePath(unescapePathBytes(raw));
  return raw;
}

/** Go's `escape(path, encodePath)`: the bytes of a decoded path as an escaped path. */
export function escapePath(decoded: Uint8Array | string): string {
  const bytes = typeof decoded === 'string' ? Buffer.from(decoded) : decoded;
  let out = '';
  for (const byte of bytes) {
    const c = String.fromCharCode(byte);
    out +=
      byte < 0x80 && (isAlnum(c) || keptByEscape.has(c))
        ? c
        : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/**
 * How many characters of the escaped path stand for the first `decodedBytes` bytes of the decoded path (a
 * `%XX` counts as one byte, a raw non-ASCII character as its UTF-8 bytes), as Traefik's `encodedPrefixLen`.
 */
export function encodedPrefixLength(escaped: string, decodedBytes: number): number {
  let decoded = 0;
  let i = 0;
  while (i < escaped.length && decoded < decodedBytes) {
    const code = escaped.charCodeAt(i);
    if (code === 37 && i + 2 < escaped.length) {
      i += 3;
      decoded++;
    } else if (code < 0x80) {
      i++;
      decoded++;
    } else {
      const char = String.fromCodePoint(escaped.codePointAt(i) ?? 0);
      decoded += Buffer.byteLength(char);
      i += char.length;
    }
  }
  return i;
}

/** Adds a leading `/` to a non-empty path that lacks one (Traefik's `ensureLeadingSlash`). */
export function ensureLeadingSlash(path: string): string {
  return path === '' || path.startsWith('/') ? path : `/${path}`;
}

/**
 * Go's `URL.JoinPath()` with no elements on an escaped path: `path.Join` (repeated slashes, `.` and `..`
 * segments removed), keeping a trailing slash. Encoded dots and slashes are not segments here.
 */
export function joinPath(escaped: string): string {
  if (!escaped.includes('//') && !escaped.includes('/.') && escaped.startsWith('/')) return escaped;
  const rooted = escaped.startsWith('/');
  const segments: string[] = [];
  for (const segment of escaped.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') {
      if (segments.length > 0 && segments[segments.length - 1] !== '..') segments.pop();
      else if (!rooted) segments.push(segment);
    } else segments.push(segment);
  }
  let joined = `/${segments.join('/')}`;
  if (!rooted) joined = joined.slice(1);
  if (escaped.endsWith('/') && !joined.endsWith('/')) joined += '/';
  return joined;
}

/**
 * True when a rewritten path means what it says: Traefik answers 400 when `JoinPath` would change it
 * (`/api./foo` stripped of `/api` is `/./foo`, which a backend reads as `/foo`).
 */
export function isJoinedPath(escaped: string): boolean {
  return escaped === '' || joinPath(escaped) === escaped;
}

/**
 * Go's `Regexp.ReplaceAllString`: every match replaced by `template` expanded as Go's `Expand` does (`$1`,
 * `${1}`, `$name`, `${name}`, `$$`; `$1x` names the group `1x`, which is empty), empty matches right after a
 * match ignored.
 */
export function replaceAllGo(regexp: RE2JS, input: string, template: string): string {
  const matcher = regexp.matcher(input);
  const names = regexp.namedGroups();
  const groups = regexp.groupCount();
  let out = '';
  let lastEnd = 0;
  let search = 0;
  while (search <= input.length && matcher.find(search)) {
    const start = matcher.start();
    const end = matcher.end();
    out += input.slice(lastEnd, start);
    if (end > lastEnd || start === 0) {
      out += expandGo(template, (group) => {
        const index = typeof group === 'number' ? group : names[group];
        if (index === undefined || index > groups) return '';
        return matcher.group(index) ?? '';
      });
    }
    lastEnd = end;
    const width = search < input.length ? String.fromCodePoint(input.codePointAt(search) ?? 0).length : 1;
    search = search + width > end ? search + width : end;
  }
  return out + input.slice(lastEnd);
}

/** Go's `Regexp.Expand` template language, with `group` giving a submatch by number or name. */
export function expandGo(template: string, group: (ref: number | string) => string): string {
  let out = '';
  let rest = template;
  for (;;) {
    const dollar = rest.indexOf('$');
    if (dollar === -1) break;
    out += rest.slice(0, dollar);
    rest = rest.slice(dollar + 1);
    if (rest.startsWith('$')) {
      out += '$';
      rest = rest.slice(1);
      continue;
    }
    const ref = /^(?:\{([\p{L}\p{Nd}_]+)\}|([\p{L}\p{Nd}_]+))/u.exec(rest);
    if (ref === null) {
      // Malformed: the `$` is kept as text.
      out += '$';
      continue;
    }
    rest = rest.slice(ref[0].length);
    const name = ref[1] ?? ref[2] ?? '';
    if (/^[0-9]+$/.test(name)) {
      const number = Number(name);
      // Go gives up on numbers from 1e8 on, which then name no group.
      out += name.length < 9 && number < 1e8 ? group(number) : '';
    } else out += group(name);
  }
  return out + rest;
}
