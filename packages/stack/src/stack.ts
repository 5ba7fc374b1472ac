import { join } from 'node:path';
import type { ProcessSpec } from './child.ts';
import { repoRoot, type StackConfig } from './config.ts';

const local = (port: number) => `http://127.0.0.1:${port}`;

/**
 * Key of forward-auth's session cookies in the local profile: a published DEMO credential (base64 of 32 bytes),
 * so sessions survive a restart of forward-auth here. Anywhere else, set COOKIE_SECRET to `openssl rand -base64 32`.
 */
const DEMO_COOKIE_SECRET = 'ZGVtby1rZXktbG9jYWwtcHJvZmlsZS1vbmx5LTMyYnk=';

/** `iss` of forward-auth's identity assertions, pinned by the backends. */
const ASSERTION_ISSUER = 'forward-auth';

/**
 * The processes of the local stack, in start order: backends and the auth service first, the gateway last,
 * so the gateway never routes to something that is not up yet.
 */
export function stackProcesses(config: StackConfig, root: string = repoRoot): ProcessSpec[] {
  const common = { HOST: '127.0.0.1', LOG_LEVEL: config.LOG_LEVEL };
  const app = (name: string) => join(root, 'apps', name);
  // What the browser sees; login redirects and the identity provider's registered callback follow it.
  const gatewayPublicUrl = `http://localhost:${config.GATEWAY_WEB_PORT}`;
  // Browsers, clients and token checkers must all name the issuer alike, so it is localhost, not 127.0.0.1.
  const issuer = `http://localhost:${config.IDENTITY_PORT}`;
  // Backends verify forward-auth's signed identity (X-Auth-Assertion), so reaching their ports directly with a
  // made-up X-Auth-User gets nowhere; each is one of the audiences that infra/gateway/dynamic/auth.yml names.
  const assertionsFor = (audience: string) => ({
    IDENTITY_ASSERTION_JWKS_URL: `${local(config.FORWARD_AUTH_PORT)}/.well-known/jwks.json`,
    IDENTITY_ASSERTION_ISSUER: ASSERTION_ISSUER,
    IDENTITY_ASSERTION_AUDIENCE: audience,
  });
  return [
    {
      name: 'identity',
      cwd: app('identity'),
      args: ['src/main.ts'],
      env: {
        ...common,
        PORT: String(config.IDENTITY_PORT),
        ISSUER: issuer,
        GATEWAY_PUBLIC_URL: gatewayPublicUrl,
      },
      readyUrl: `${local(config.IDENTITY_PORT)}/healthz`,
    },
    {
      name: 'model-service',
      cwd: app('model-service'),
      args: ['src/main.ts'],
      env: { ...common, PORT: String(config.MODEL_SERVICE_PORT), ...assertionsFor('model-service') },
      readyUrl: `${local(config.MODEL_SERVICE_PORT)}/`,
    },
    {
      name: 'forward-auth',
      cwd: app('forward-auth'),
      args: ['src/main.ts'],
      env: {
        ...common,
        PORT: String(config.FORWARD_AUTH_PORT),
        STATIC_TOKENS: config.STATIC_TOKENS,
        PUBLIC_URL: gatewayPublicUrl,
        OIDC_ISSUER: issuer,
        OIDC_CLIENT_ID: 'forward-auth',
        // Demo credentials of the local profile, as registered in infra/identity/identity.yml.
        OIDC_CLIENT_SECRET: 'forward-auth-secret',
        COOKIE_SECRET: DEMO_COOKIE_SECRET,
        IDENTITY_ASSERTION_ISSUER: ASSERTION_ISSUER,
      },
      readyUrl: `${local(config.FORWARD_AUTH_PORT)}/`,
    },
    {
      name: 'adder',
      cwd: app('adder'),
      args: ['src/main.ts'],
      env: {
        ...common,
        HTTP_PORT: String(config.ADDER_HTTP_PORT),
        GRPC_PORT: String(config.ADDER_GRPC_PORT),
      },
      readyUrl: `${local(config.ADDER_HTTP_PORT)}/readyz`,
    },
    {
      name: 'pybackend',
      cwd: app('pybackend-ts'),
      args: ['src/main.ts'],
      env: {
        ...common,
        PORT: String(config.PYBACKEND_PORT),
        MODEL_SERVICE_URL: local(config.MODEL_SERVICE_PORT),
        ...assertionsFor('pybackend-ts'),
      },
      readyUrl: `${local(config.PYBACKEND_PORT)}/`,
    },
    {
      name: 'gateway',
      cwd: app('gateway'),
      args: [
        'src/cli.ts',
        '--configFile',
        join(root, 'infra', 'gateway', 'gateway.yml'),
        // Loopback only, like every other process here: the local profile carries demo credentials and an
        // unauthenticated admin API (containers and Kubernetes bind 0.0.0.0 explicitly).
        `--entryPoints.web.address=127.0.0.1:${config.GATEWAY_WEB_PORT}`,
        `--entryPoints.websecure.address=127.0.0.1:${config.GATEWAY_WEBSECURE_PORT}`,
        `--entryPoints.traefik.address=127.0.0.1:${config.GATEWAY_ADMIN_PORT}`,
      ],
      env: {
        LOG_LEVEL: config.LOG_LEVEL,
        // Traefik v3.7.12's aliasHeadersStrategy on every entrypoint: drop X.Auth.User and the other look-alikes
        // of the identity headers, which gateway.yml's underscoreHeadersStrategy (older Traefik too) does not.
        GATEWAY_ALIAS_HEADERS_STRATEGY: 'delete',
        FORWARD_AUTH_URL: local(config.FORWARD_AUTH_PORT),
        PYBACKEND_URL: local(config.PYBACKEND_PORT),
        MODEL_SERVICE_URL: local(config.MODEL_SERVICE_PORT),
        ADDER_URL: local(config.ADDER_HTTP_PORT),
        IDENTITY_ISSUER: issuer,
        IDENTITY_URL: local(config.IDENTITY_PORT),
        GATEWAY_WEBSECURE_PORT: String(config.GATEWAY_WEBSECURE_PORT),
        BOS_RF_USERS_FILE: join(root, 'infra', 'gateway', 'bos-rf.htpasswd'),
      },
      readyUrl: `${local(config.GATEWAY_ADMIN_PORT)}/ping`,
    },
  ];
}
