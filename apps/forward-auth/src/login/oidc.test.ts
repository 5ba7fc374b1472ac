import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import { after, describe, it } from 'node:test';
import type { FastifyBaseLogger } from 'fastify';
import { OidcClient, ProviderUnavailableError } from './oidc.ts';

/** A loopback port nothing listens on (yet). */
async function freePort(): Promise<number> {
  const probe = createServer();
  probe.listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

const quiet = { info() {}, warn() {} } as unknown as FastifyBaseLogger;

/** A provider that only publishes its discovery document: enough for discovery. */
function provider(issuer: string): Server {
  return createServer((req, res) => {
    if (req.url !== '/.well-known/openid-configuration') return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({ issuer, authorization_endpoint: `${issuer}/auth`, token_endpoint: `${issuer}/token` }),
    );
  });
}

describe('OidcClient discovery', () => {
  const servers: Server[] = [];
  after(() => {
    for (const server of servers) server.close();
  });

  it('does not hold back the first login when the provider came up after forward-auth', async () => {
    const port = await freePort();
    const issuer = `http://127.0.0.1:${port}`;
    const oidc = new OidcClient(
      { issuer, internalUrl: null, clientId: 'c', clientSecret: 's', retryAfterMs: 60_000 },
      quiet,
    );
    oidc.warmUp();
    // Let the start-up attempt fail against the closed port, then start the provider.
    await new Promise((resolve) => setTimeout(resolve, 200));
    const server = provider(issuer);
    servers.push(server);
    server.listen(port, '127.0.0.1');
    await once(server, 'listening');
    const configuration = await oidc.configuration();
    assert.equal(configuration.serverMetadata().issuer, issuer);
  });

  it('waits retryAfterMs after a failed discovery on a request, so a down provider is not asked per request', async () => {
    const port = await freePort();
    const issuer = `http://127.0.0.1:${port}`;
    const oidc = new OidcClient(
      { issuer, internalUrl: null, clientId: 'c', clientSecret: 's', retryAfterMs: 60_000 },
      quiet,
    );
    await assert.rejects(oidc.configuration(), ProviderUnavailableError);
    const server = provider(issuer);
    servers.push(server);
    server.listen(port, '127.0.0.1');
    await once(server, 'listening');
    await assert.rejects(oidc.configuration(), ProviderUnavailableError);
  });
});
