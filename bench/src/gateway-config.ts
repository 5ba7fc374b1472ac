/**
 * The gateway's configuration for the bench, written to a temporary directory: the static file (ports, workers,
 * no access log or metrics, as nginx runs without), infra/gateway/dynamic's auth.yml and pybackend.yml as they
 * are (the real forward-auth and pybackend-ts routes), and bench.yml with the trivial-peer routes.
 */
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { repoRoot } from '@gateway-pattern/stack';

/** The peers the routes go to. */
export interface GatewayPeers {
  readonly trivialAuth: string;
  readonly trivialBackend: string;
  readonly jwks: string;
  readonly jwtIssuer: string;
  readonly jwtAudience: string;
}

/**
 * bench.yml: `/fa` forwardAuth to the trivial auth server, `/plain` no auth, `/cached` the same forwardAuth with
 * its decisions cached, `/jwt` the token validated in the gateway, `/cached-pybackend` the real auth-pybackend
 * with the cache; each strips its prefix.
 */
export function benchRoutes(peers: GatewayPeers): string {
  const router = (name: string, middlewares: string[], service: string) => `    ${name}:
      rule: PathPrefix(\`/${name}\`)
      entryPoints: [web]
      middlewares: [${[...middlewares, `strip-${name}`].join(', ')}]
      service: ${service}
`;
  const strip = (name: string) => `    strip-${name}:
      stripPrefix: {prefixes: [/${name}]}
`;
  return `http:
  routers:
${router('fa', ['trivial-auth'], 'trivial')}${router('plain', [], 'trivial')}${router('cached', ['trivial-auth-cached'], 'trivial')}${router('jwt', ['bench-jwt'], 'trivial')}${router('cached-pybackend', ['auth-pybackend-cached'], 'pybackend')}
  middlewares:
    trivial-auth:
      forwardAuth:
        address: ${peers.trivialAuth}
        authResponseHeaders: [X-Auth-User]
        trustForwardHeader: false
    trivial-auth-cached:
      plugin:
        cachedForwardAuth:
          address: ${peers.trivialAuth}
          authResponseHeaders: [X-Auth-User]
          trustForwardHeader: false
          cache: {ttl: 10s}
    auth-pybackend-cached:
      plugin:
        cachedForwardAuth:
          address: '{{ env "FORWARD_AUTH_URL" }}/auth?aud=pybackend-ts&aud=model-service'
          authResponseHeaders: [X-Auth-User, X-Auth-Email, X-Auth-Roles, X-Auth-Client, X-Auth-Assertion]
          trustForwardHeader: false
          cache: {ttl: 10s}
    bench-jwt:
      plugin:
        jwt:
          issuer: ${peers.jwtIssuer}
          jwksUrl: ${peers.jwks}
          audiences: ['${peers.jwtAudience}']
          claimHeaders: {X-Auth-User: sub}
${strip('fa')}${strip('plain')}${strip('cached')}${strip('jwt')}${strip('cached-pybackend')}
  services:
    trivial:
      loadBalancer:
        servers: [{url: "${peers.trivialBackend}"}]
`;
}

/**
 * Writes a gateway's files; returns its static file. `localProfile` puts infra/gateway/gateway.extensions.yml
 * beside it, as `npm start` runs the gateway: its `forwardAuthCache` then caches every forwardAuth's decisions.
 */
export async function writeGatewayConfig(
  dir: string,
  options: {
    webPort: number;
    adminPort: number;
    workers: number;
    peers: GatewayPeers;
    localProfile?: boolean;
  },
): Promise<string> {
  const dynamic = join(dir, 'dynamic');
  await mkdir(dynamic, { recursive: true });
  for (const file of ['auth.yml', 'pybackend.yml']) {
    await copyFile(join(repoRoot, 'infra', 'gateway', 'dynamic', file), join(dynamic, file));
  }
  if (options.localProfile === true) {
    await copyFile(
      join(repoRoot, 'infra', 'gateway', 'gateway.extensions.yml'),
      join(dir, 'gateway.extensions.yml'),
    );
  }
  await writeFile(join(dynamic, 'bench.yml'), benchRoutes(options.peers));
  const staticFile = join(dir, 'gateway.yml');
  await writeFile(
    staticFile,
    [
      'entryPoints:',
      `  web: { address: "127.0.0.1:${options.webPort}" }`,
      `  traefik: { address: "127.0.0.1:${options.adminPort}" }`,
      'ping: {}',
      `workers: ${options.workers}`,
      'log: { level: WARN }',
      'providers:',
      '  file:',
      `    directory: ${JSON.stringify(dynamic)}`,
      '    watch: false',
      '',
    ].join('\n'),
  );
  return staticFile;
}
