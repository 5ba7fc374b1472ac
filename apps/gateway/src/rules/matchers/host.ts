/** Host equality as Traefik's `Host` matcher does it (§1.2): case-insensitive, a trailing dot tolerated. */

import type { Matcher } from '../types.ts';

/** A matcher for one `Host` value (already checked to be ASCII). */
export function hostEquals(value: string): Matcher {
  const host = value.toLowerCase();
  if (host === '*') return () => true;
  const bare = host.endsWith('.') ? host.slice(0, -1) : host;
  if (bare.startsWith('*.')) {
    // `*.example.com` stands for exactly one more label.
    const suffix = bare.slice(1);
    return ({ host: requested }) => {
      const name = requested.endsWith('.') ? requested.slice(0, -1) : requested;
      if (!name.endsWith(suffix)) return false;
      const label = name.slice(0, -suffix.length);
      return label !== '' && !label.includes('.');
    };
  }
  return ({ host: requested }) => {
    if (requested === '') return false;
    if (requested === host || requested === bare) return true;
    return requested.endsWith('.') && requested.slice(0, -1) === host;
  };
}
