/** Stand-ins shared by the reliability tests. Not a test file (no `.test.ts`). */

import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * An auth server in the shape of forward-auth's static-token mode: `Bearer foobar` passes as alice
 * (`X-Auth-User`), anything else gets 401 with a JSON `detail`.
 */
export function tokenAuth(req: IncomingMessage, res: ServerResponse): void {
  if (req.headers.authorization === 'Bearer foobar') {
    res.writeHead(200, { 'x-auth-user': 'alice' }).end();
  } else {
    res.writeHead(401, { 'content-type': 'application/json' }).end('{"detail":"Not authenticated"}');
  }
}
