/**
 * The entrypoint's `forwardedHeaders` step (Traefik's `forwardedheaders` middleware), run on every request
 * before routing: from an untrusted peer, every X-Forwarded-* / X-Real-Ip header is removed (including
 * underscore spellings); then X-Forwarded-Proto, -Host, -Port, -Server and X-Real-Ip are filled in.
 */

import { BlockList, isIP } from 'node:net';
import type { Exchange } from '../http/exchange.ts';
import { forwardedPort, isForwardedHeader } from '../http/forwarded.ts';

/** Which peers may send X-Forwarded-* headers (`entryPoints.<name>.forwardedHeaders`). */
export interface ForwardedHeadersOptions {
  /** Trust every peer. */
  readonly insecure?: boolean | undefined;
  /** Trusted peers: IPs and CIDRs. */
  readonly trustedIPs?: readonly string[] | undefined;
  /** Value of X-Forwarded-Server (the host name). */
  readonly serverName: string;
}

/** Builds the step; the trusted list is compiled once. Throws TypeError for an invalid IP or CIDR. */
export function forwardedHeaders(options: ForwardedHeadersOptions): (exchange: Exchange) => void {
  const trusted = new BlockList();
  for (const entry of options.trustedIPs ?? []) {
    const [ip = '', bits] = entry.split('/');
    const family = isIP(ip);
    if (family === 0) throw new TypeError(`invalid trusted IP "${entry}"`);
    const type = family === 6 ? 'ipv6' : 'ipv4';
    if (bits === undefined) trusted.addAddress(ip, type);
    else trusted.addSubnet(ip, Number(bits), type);
  }
  const trustAll = options.insecure === true;
  const hasList = (options.trustedIPs ?? []).length > 0;

  return (exchange) => {
    const peer = exchange.remoteAddr;
    const family = isIP(peer);
    const isTrusted =
      trustAll || (hasList && family !== 0 && trusted.check(peer, family === 6 ? 'ipv6' : 'ipv4'));
    const headers = exchange.headers;
    if (!isTrusted) {
      for (const name of Object.keys(headers)) if (isForwardedHeader(name)) delete headers[name];
    }
    // A client must not make a later hop strip the headers set here by naming them in Connection.
    const connection = headers.connection;
    if (connection !== undefined) {
      const kept = connection
        .flatMap((value) => value.split(','))
        .map((token) => token.trim())
        .filter((token) => token !== '' && !isForwardedHeader(token.toLowerCase()));
      if (kept.length > 0) headers.connection = [kept.join(', ')];
      else delete headers.connection;
    }
    const websocket = headers.upgrade?.[0]?.toLowerCase() === 'websocket';
    headers['x-forwarded-proto'] ??= [
      websocket ? (exchange.tls ? 'wss' : 'ws') : exchange.tls ? 'https' : 'http',
    ];
    if (exchange.host !== '') headers['x-forwarded-host'] ??= [exchange.host];
    headers['x-forwarded-port'] ??= [forwardedPort(exchange.host, exchange.tls)];
    headers['x-forwarded-server'] = [options.serverName];
    headers['x-real-ip'] ??= [peer];
  };
}
