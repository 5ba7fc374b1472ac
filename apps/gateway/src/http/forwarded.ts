/** Names and helpers for the X-Forwarded-* family, shared by the entrypoint and forwardAuth. */

/** The headers Traefik manages and strips from untrusted clients (lower case). */
export const forwardedHeaderNames: readonly string[] = [
  'x-forwarded-proto',
  'x-forwarded-for',
  'x-forwarded-host',
  'x-forwarded-port',
  'x-forwarded-server',
  'x-forwarded-uri',
  'x-forwarded-method',
  'x-forwarded-prefix',
  'x-forwarded-tls-client-cert',
  'x-forwarded-tls-client-cert-info',
  'x-real-ip',
];

const managed = new Set(forwardedHeaderNames);

/** True for a Traefik-managed X header, including the `x_forwarded_for` underscore spelling. */
export function isForwardedHeader(name: string): boolean {
  return managed.has(name.includes('_') ? name.replaceAll('_', '-') : name);
}

/** The port of a Host value (`example.com:8000` → `8000`), or the scheme's default. */
export function forwardedPort(host: string, tls: boolean): string {
  const match = /:(\d+)$/.exec(host);
  if (match && !(host.startsWith('[') && !host.includes(']:'))) return match[1] ?? '';
  return tls ? '443' : '80';
}
