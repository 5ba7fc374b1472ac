/**
 * Who the client is, as Traefik's `ipAllowList`, `rateLimit` and `inFlightReq` decide it: IP ranges parsed as
 * Go parses them (`net.ParseIP` / `net.ParseCIDR` for the configured ranges, `netip.ParseAddr` for the
 * addresses checked: no leading zeros, IPv6 zones allowed and ignored, IPv4-mapped IPv6 inside IPv4 ranges),
 * the `ipStrategy` that picks the address (the peer's, the `depth`-th of X-Forwarded-For from the right, or
 * its right-most one outside `excludedIPs`; `ipv6Subnet` groups an IPv6 client by its subnet), and the
 * `sourceCriterion` that groups requests (that IP, a request header's value, or the Host).
 */

import type { IpStrategyConfig, SourceCriterionConfig } from '../config/dynamic-schema.ts';
import { ResourceError } from '../errors.ts';
import type { Exchange } from '../http/exchange.ts';
import { firstValue } from '../http/headers.ts';

/** An IP address as Go's 16-byte form (IPv4 as `::ffff:a.b.c.d`). */
type Ip = Uint8Array;

const v4Prefix = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff];

function parseV4(text: string): Ip | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  const out = new Uint8Array(16);
  out.set(v4Prefix);
  for (let i = 0; i < 4; i++) {
    const part = parts[i] ?? '';
    // Go refuses leading zeros (an octal reading would be another address).
    if (!/^(0|[1-9][0-9]{0,2})$/.test(part)) return undefined;
    const value = Number(part);
    if (value > 255) return undefined;
    out[12 + i] = value;
  }
  return out;
}

function parseV6(text: string): Ip | undefined {
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const groups = (half: string): number[] | undefined => {
    if (half === '') return [];
    const out: number[] = [];
    const parts = half.split(':');
    for (let i = 0; i < parts.length; i++) {
      const part = parts[i] ?? '';
      if (i === parts.length - 1 && part.includes('.')) {
        const v4 = parseV4(part);
        if (v4 === undefined) return undefined;
        out.push(((v4[12] ?? 0) << 8) | (v4[13] ?? 0), ((v4[14] ?? 0) << 8) | (v4[15] ?? 0));
      } else {
        if (!/^[0-9a-fA-F]{1,4}$/.test(part)) return undefined;
        out.push(Number.parseInt(part, 16));
      }
    }
    return out;
  };
  const head = groups(halves[0] ?? '');
  const tail = halves.length === 2 ? groups(halves[1] ?? '') : [];
  if (head === undefined || tail === undefined) return undefined;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  const all = [...head, ...new Array<number>(missing).fill(0), ...tail];
  const out = new Uint8Array(16);
  all.forEach((group, i) => {
    out[2 * i] = group >> 8;
    out[2 * i + 1] = group & 0xff;
  });
  return out;
}

/** Go's `netip.ParseAddr` (a zone after `%` is accepted and ignored), as 16 bytes; undefined when invalid. */
export function parseAddress(text: string): Ip | undefined {
  if (text.includes(':')) {
    const zone = text.indexOf('%');
    if (zone === 0 || zone === text.length - 1) return undefined;
    return parseV6(zone === -1 ? text : text.slice(0, zone));
  }
  return parseV4(text);
}

const isV4 = (ip: Ip): boolean => v4Prefix.every((byte, i) => ip[i] === byte);

/** Go's text form of an address (`netip.Addr.String`): dotted IPv4, RFC 5952 IPv6. */
export function formatAddress(ip: Ip, v4: boolean = isV4(ip)): string {
  if (v4) return Array.from(ip.subarray(12)).join('.');
  const groups = Array.from({ length: 8 }, (_, i) => ((ip[2 * i] ?? 0) << 8) | (ip[2 * i + 1] ?? 0));
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let end = i;
    while (end < 8 && groups[end] === 0) end++;
    if (end - i > bestLength) {
      bestStart = i;
      bestLength = end - i;
    }
    i = end;
  }
  const hex = groups.map((group) => group.toString(16));
  if (bestStart === -1) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`;
}

interface Network {
  readonly ip: Ip;
  /** Prefix length in the 16-byte form. */
  readonly bits: number;
  /** An IPv4 range holds IPv4 addresses only, an IPv6 range IPv6 ones only (Go's `IPNet.Contains`). */
  readonly v4: boolean | undefined;
}

function inNetwork(ip: Ip, network: Network): boolean {
  if (network.v4 !== undefined && network.v4 !== isV4(ip)) return false;
  const whole = network.bits >> 3;
  for (let i = 0; i < whole; i++) if (ip[i] !== network.ip[i]) return false;
  const rest = network.bits & 7;
  if (rest === 0) return true;
  const mask = (0xff << (8 - rest)) & 0xff;
  return ((ip[whole] ?? 0) & mask) === ((network.ip[whole] ?? 0) & mask);
}

/** Go's `net.SplitHostPort` host, or the whole text when it has no port. */
function withoutPort(address: string): string {
  const bracketed = /^\[([^\]]*)\]:[0-9]*$/.exec(address);
  if (bracketed) return bracketed[1] ?? '';
  const colon = address.indexOf(':');
  if (colon !== -1 && colon === address.lastIndexOf(':')) return address.slice(0, colon);
  return address;
}

/** Traefik's `ip.Checker`: a set of addresses and ranges. */
export class IpChecker {
  readonly #networks: Network[] = [];

  /** Throws {@link ResourceError} for an empty list or an entry Go cannot parse, as Traefik refuses them. */
  constructor(ranges: readonly string[]) {
    if (ranges.length === 0) throw new ResourceError('no trusted IPs provided');
    for (const range of ranges) {
      const slash = range.indexOf('/');
      if (slash === -1 && !range.includes('%')) {
        const ip = parseAddress(range);
        if (ip !== undefined) {
          this.#networks.push({ ip, bits: 128, v4: undefined });
          continue;
        }
      }
      const ip = slash === -1 ? undefined : parseAddress(range.slice(0, slash));
      const bitsText = slash === -1 ? '' : range.slice(slash + 1);
      const v4 = ip !== undefined && !range.slice(0, slash).includes(':');
      const max = v4 ? 32 : 128;
      const bits = /^(0|[1-9][0-9]*)$/.test(bitsText) ? Number(bitsText) : Number.NaN;
      if (ip === undefined || range.includes('%') || !(bits <= max)) {
        throw new ResourceError(`parsing CIDR trusted IPs: invalid CIDR address: ${range}`);
      }
      this.#networks.push({ ip, bits: v4 ? bits + 96 : bits, v4 });
    }
  }

  /** Whether `address` (an IP, or `ip:port`) is in the set; false for what is not an address, even empty. */
  allows(address: string): boolean {
    const ip = parseAddress(withoutPort(address));
    return ip !== undefined && this.contains(ip);
  }

  /** Whether a parsed address is in the set. */
  contains(ip: Ip): boolean {
    return this.#networks.some((network) => inNetwork(ip, network));
  }
}

/** Picks the client address of a request; may be empty (then it matches no range). */
export type IpStrategy = (exchange: Exchange) => string;

function subnetOf(address: string, bits: number | undefined): string {
  if (bits === undefined) return address;
  const ip = parseAddress(address);
  if (ip === undefined || isV4(ip)) return address;
  const masked = new Uint8Array(16);
  for (let i = 0; i < 16; i++) {
    const keep = Math.max(0, Math.min(8, bits - i * 8));
    masked[i] = (ip[i] ?? 0) & ((0xff << (8 - keep)) & 0xff);
  }
  return formatAddress(masked, false);
}

/** The addresses of X-Forwarded-For's first line, as Go's `Header.Get` gives it, split on commas. */
const forwardedFor = (exchange: Exchange): string[] =>
  (firstValue(exchange.headers, 'x-forwarded-for') ?? '').split(',');

/** Traefik's `IPStrategy.Get()`: depth wins over excludedIPs; neither means the peer address. */
export function ipStrategy(config: IpStrategyConfig | undefined): IpStrategy {
  const subnet = config?.ipv6Subnet;
  if (subnet !== undefined && (subnet <= 0 || subnet > 128)) {
    throw new ResourceError(
      `invalid IPv6 subnet ${subnet} value, should be greater to 0 and lower or equal to 128`,
    );
  }
  const depth = config?.depth ?? 0;
  if (depth > 0) {
    return (exchange) => {
      const addresses = forwardedFor(exchange);
      if (addresses.length < depth) return '';
      return subnetOf((addresses[addresses.length - depth] ?? '').trim(), subnet);
    };
  }
  const excluded = config?.excludedIPs ?? [];
  if (excluded.length > 0) {
    const checker = new IpChecker(excluded);
    return (exchange) => {
      const addresses = forwardedFor(exchange);
      for (let i = addresses.length - 1; i >= 0; i--) {
        const address = (addresses[i] ?? '').trim();
        if (address !== '' && !checker.allows(address)) return address;
      }
      return '';
    };
  }
  return (exchange) => subnetOf(exchange.remoteAddr, subnet);
}

/** What groups requests as one source, for rateLimit and inFlightReq. */
export type SourceExtractor = (exchange: Exchange) => string;

/**
 * Traefik's `GetSourceExtractor`: at most one of ipStrategy, requestHeaderName, requestHost (else
 * {@link ResourceError}); none set means `fallback`.
 */
export function sourceExtractor(
  criterion: SourceCriterionConfig | undefined,
  fallback: 'ip' | 'host',
): SourceExtractor {
  const strategy = criterion?.ipStrategy;
  const header = criterion?.requestHeaderName ?? '';
  const host = criterion?.requestHost === true;
  if (strategy !== undefined && header !== '') {
    throw new ResourceError('iPStrategy and RequestHeaderName are mutually exclusive');
  }
  if (strategy !== undefined && host) {
    throw new ResourceError('iPStrategy and RequestHost are mutually exclusive');
  }
  if (header !== '' && host)
    throw new ResourceError('requestHost and RequestHeaderName are mutually exclusive');
  if (header !== '') {
    const name = header.toLowerCase();
    return (exchange) => firstValue(exchange.headers, name) ?? '';
  }
  if (host || (strategy === undefined && fallback === 'host')) return (exchange) => exchange.host;
  return ipStrategy(strategy);
}
