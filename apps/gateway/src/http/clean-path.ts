/**
 * Traefik's entrypoint `sanitizePath` (default on): cleans dot segments and repeated slashes before routing,
 * keeping a trailing slash, so `/pybackend/../secret` cannot reach a route the rule did not mean.
 * Encoded dots (`%2e`) count as dots, as they do once Go has decoded the path.
 */

const needsCleaning = /\/\/|\/\.|%2e/i;

/** The cleaned escaped path (`/./foo/bar` → `/foo/bar`, `/foo/../bar` → `/bar`, `/foo/bar//` → `/foo/bar/`). */
export function cleanPath(path: string): string {
  if (path === '' || path === '*') return path;
  if (path.startsWith('/') && !needsCleaning.test(path)) return path;
  const decoded = path.replace(/%2e/gi, '.');
  const segments: string[] = [];
  for (const segment of decoded.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') segments.pop();
    else segments.push(segment);
  }
  const cleaned = `/${segments.join('/')}`;
  return decoded.endsWith('/') && cleaned !== '/' ? `${cleaned}/` : cleaned;
}
