/** Parsing of Traefik entrypoint addresses: `":8000"`, `"127.0.0.1:8000"`, `"[::1]:8443"`, `":8000/tcp"`. */

/** Where an entrypoint listens. `host` is undefined for "every interface" (`:8000`). */
export interface ListenAddress {
  readonly host: string | undefined;
  readonly port: number;
}

/** Parses an entrypoint address; returns a message instead when it is invalid. */
export function parseAddress(address: string): ListenAddress | string {
  let text = address.trim();
  const slash = text.lastIndexOf('/');
  if (slash !== -1) {
    const protocol = text.slice(slash + 1).toLowerCase();
    if (protocol !== 'tcp') return `only TCP entrypoints are supported, got "/${protocol}"`;
    text = text.slice(0, slash);
  }
  const colon = text.lastIndexOf(':');
  if (colon === -1) return `expected "[host]:port", got "${address}"`;
  let host = text.slice(0, colon);
  const portText = text.slice(colon + 1);
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  const port = Number(portText);
  if (portText === '' || !Number.isInteger(port) || port < 0 || port > 65535) {
    return `invalid port in "${address}"`;
  }
  return { host: host === '' ? undefined : host, port };
}
