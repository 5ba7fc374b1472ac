/**
 * Whether Go's `url.Parse` accepts a URL, for redirectRegex: Traefik answers 502 when the rewritten URL does
 * not parse. The checks are Go's: control characters, a colon before any scheme, the authority's port and
 * host characters (an escaped ASCII byte in a host other than `%25` is refused), and bad `%` escapes in the
 * path and fragment. The query is not checked, as in Go.
 */

const hex = /^[0-9a-fA-F]{2}$/;

/** Go's error message for `url`, or undefined when Go's `url.Parse` accepts it. */
export function goUrlParseError(url: string): string | undefined {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is looked for.
  if (/[\x00-\x1f\x7f]/.test(url)) return 'net/url: invalid control character in URL';
  const hash = url.indexOf('#');
  const fragment = hash === -1 ? '' : url.slice(hash + 1);
  let rest = hash === -1 ? url : url.slice(0, hash);
  if (rest === '*') return undefined;

  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(rest);
  if (rest.startsWith(':')) return 'missing protocol scheme';
  if (scheme) rest = rest.slice(scheme[0].length);
  const question = rest.indexOf('?');
  if (question !== -1) rest = rest.slice(0, question);

  if (scheme === null && !rest.startsWith('/')) {
    const segment = rest.split('/')[0] ?? '';
    if (segment.includes(':')) return 'first path segment in URL cannot contain colon';
  }
  if (rest.startsWith('//') && (scheme !== null || !rest.startsWith('///'))) {
    const authorityEnd = rest.indexOf('/', 2);
    const authority = authorityEnd === -1 ? rest.slice(2) : rest.slice(2, authorityEnd);
    rest = authorityEnd === -1 ? '' : rest.slice(authorityEnd);
    const problem = authorityError(authority);
    if (problem !== undefined) return problem;
  }
  return escapeError(rest) ?? escapeError(fragment);
}

function authorityError(authority: string): string | undefined {
  const at = authority.lastIndexOf('@');
  const host = at === -1 ? authority : authority.slice(at + 1);
  let name = host;
  if (host.startsWith('[')) {
    const close = host.indexOf(']');
    if (close === -1) return "missing ']' in host";
    const port = host.slice(close + 1);
    if (port !== '' && !/^:[0-9]*$/.test(port)) return `invalid port "${port}" after host`;
    name = host.slice(1, close);
  } else {
    const colon = host.lastIndexOf(':');
    if (colon !== -1) {
      const port = host.slice(colon);
      if (!/^:[0-9]*$/.test(port)) return `invalid port "${port}" after host`;
      name = host.slice(0, colon);
    }
    for (let i = 0; i < name.length; i++) {
      const c = name.charCodeAt(i);
      if (c === 37 /* % */) {
        const pair = name.slice(i + 1, i + 3);
        if (!hex.test(pair)) return `invalid URL escape "${name.slice(i, i + 3)}"`;
        if (Number.parseInt(pair[0] ?? '0', 16) < 8 && pair !== '25') {
          return `invalid URL escape "${name.slice(i, i + 3)}"`;
        }
        i += 2;
      } else if (c < 0x80 && !/[A-Za-z0-9\-_.~!$&'()*+,;=:[\]<>"]/.test(name[i] ?? '')) {
        return `invalid character "${name[i]}" in host name`;
      }
    }
  }
  return undefined;
}

function escapeError(text: string): string | undefined {
  for (let i = text.indexOf('%'); i !== -1; i = text.indexOf('%', i + 1)) {
    if (!hex.test(text.slice(i + 1, i + 3))) return `invalid URL escape "${text.slice(i, i + 3)}"`;
  }
  return undefined;
}
