/**
 * `basicAuth` (Traefik §2.2): checks `Authorization: Basic` against `users` and `usersFile` (inline users win),
 * answers 401 `401 Unauthorized\n` with `WWW-Authenticate: Basic realm="<realm>"` otherwise.
 */

import type { BasicAuthConfig } from '../config/dynamic-schema.ts';
import { ResourceError } from '../errors.ts';
import { firstValue } from '../http/headers.ts';
import { decoyHash, verifyPassword } from './auth/passwords.ts';
import { usersFileEntries } from './auth/users-file.ts';
import { cachedVerifier, VerifiedCredentials } from './auth/verified-cache.ts';
import type { Middleware } from './types.ts';

/**
 * Builds a basicAuth middleware; reads `usersFile` now (relative to the working directory, as Traefik).
 * Successful verifications are cached (`auth/verified-cache.ts`) for as long as this build serves.
 */
export function basicAuth(options: BasicAuthConfig): Middleware {
  const users = new Map<string, string>();
  if (options.usersFile !== undefined) {
    for (const entry of usersFileEntries(options.usersFile, 'basicAuth')) addUser(users, entry, 'usersFile');
  }
  for (const entry of options.users) addUser(users, entry, 'users');
  if (users.size === 0) throw new ResourceError('basicAuth: no users configured');
  const challenge = `Basic realm="${options.realm.replaceAll('"', '\\"')}"`;
  const headerField = options.headerField?.toLowerCase();
  const verifyCached = cachedVerifier(new VerifiedCredentials(), verifyPassword);

  return (next) => async (exchange) => {
    const credentials = parseBasic(firstValue(exchange.headers, 'authorization'));
    const hash = credentials ? users.get(credentials.user) : undefined;
    // An unknown user is verified against a decoy, never cached, so it costs as much as a wrong password.
    const valid =
      credentials !== undefined && hash !== undefined
        ? await verifyCached(credentials.user, credentials.password, hash)
        : await verifyPassword(credentials?.password ?? '', decoyHash);
    if (!credentials || hash === undefined || !valid) {
      exchange.send(401, '401 Unauthorized\n', {
        'content-type': 'text/plain',
        'www-authenticate': challenge,
      });
      return;
    }
    exchange.log.ClientUsername = credentials.user;
    if (options.removeHeader) delete exchange.headers.authorization;
    if (headerField !== undefined) exchange.headers[headerField] = [credentials.user];
    return next(exchange);
  };
}

function addUser(users: Map<string, string>, entry: string, field: string): void {
  const parts = entry.split(':');
  if (parts.length !== 2 || parts[0] === '') {
    throw new ResourceError(
      `basicAuth.${field}: an entry must be "name:hash", got "${entry.split(':')[0]}:..."`,
    );
  }
  users.set(parts[0] ?? '', parts[1] ?? '');
}

function parseBasic(header: string | undefined): { user: string; password: string } | undefined {
  if (header === undefined || header.length < 6 || header.slice(0, 6).toLowerCase() !== 'basic ')
    return undefined;
  const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon === -1) return undefined;
  return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}
