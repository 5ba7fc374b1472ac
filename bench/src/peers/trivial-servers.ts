/**
 * The trivial peers of the bench, one process each (so they run beside, not inside, the proxy under test):
 * - `auth`: like forward-auth's static-token mode: `Authorization: Bearer <AUTH_TOKEN>` (default `foobar`) → 200
 *   with `X-Auth-User: alice`, anything else → 401 with a JSON `detail`;
 * - `backend`: a small JSON document naming the path it got and the user it was told;
 * - `jwks`: the key set in `JWKS` (JSON), at any path, for the gateway's jwt middleware.
 *
 * `node trivial-servers.ts auth|backend|jwks <port>`; prints `listening <port>` once ready.
 */
import { createServer } from 'node:http';

const kind = process.argv[2];
const port = Number(process.argv[3] ?? 0);
const expected = `Bearer ${process.env.AUTH_TOKEN ?? 'foobar'}`;
const denied = '{"detail":"Invalid Token"}';
const jwks = process.env.JWKS ?? '{"keys":[]}';

const server = createServer((req, res) => {
  if (kind === 'auth') {
    if (req.headers.authorization === expected) {
      res.writeHead(200, { 'x-auth-user': 'alice', 'content-length': '0' }).end();
    } else {
      res.writeHead(401, { 'content-type': 'application/json', 'content-length': denied.length }).end(denied);
    }
  } else if (kind === 'jwks') {
    res
      .writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(jwks) })
      .end(jwks);
  } else {
    const body = JSON.stringify({
      title: 'trivial backend',
      path: req.url,
      user: req.headers['x-auth-user'],
    });
    res
      .writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) })
      .end(body);
  }
});
server.keepAliveTimeout = 120_000;
server.listen(port, '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(`listening ${typeof address === 'object' && address ? address.port : port}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
