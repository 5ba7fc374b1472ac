/** `ClientIP`: the peer address against an IP or a CIDR range (never X-Forwarded-For). */

import { BlockList, isIP } from 'node:net';
import type { Matcher } from '../types.ts';
import { MatcherError } from './table.ts';

/** Node reports IPv4 peers of a dual-stack socket as `::ffff:a.b.c.d`; Go sees them as IPv4. */
function unmapped(address: string): string {
  return address.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
}

/** A matcher for the given IPs and CIDR ranges; throws {@link MatcherError} for one that does not parse. */
export function clientIp(ranges: readonly string[]): Matcher {
  const list = new BlockList();
  for (const range of ranges) {
    const [address = '', prefix, extra] = range.trim().split('/');
    const family = isIP(unmapped(address));
    const bits = prefix === undefined ? undefined : Number(prefix);
    const max = family === 4 ? 32 : 128;
    if (
      family === 0 ||
      extra !== undefined ||
      (bits !== undefined &&
        !(Number.isInteger(bits) && bits >= 0 && bits <= max && /^\d+$/.test(prefix ?? '')))
    ) {
      throw new MatcherError(
        `invalid value "${range}" for ClientIP matcher: not an IP address or CIDR range`,
      );
    }
    const type = family === 4 ? 'ipv4' : 'ipv6';
    if (bits === undefined) list.addAddress(unmapped(address), type);
    else list.addSubnet(unmapped(address), bits, type);
  }
  return ({ remoteAddr }) => {
    const address = unmapped(remoteAddr);
    const family = isIP(address);
    return family !== 0 && list.check(address, family === 4 ? 'ipv4' : 'ipv6');
  };
}
