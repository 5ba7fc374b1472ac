import { type ChildProcess, spawn } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Where nginx listens and what it fronts. */
export interface NginxSetup {
  readonly dir: string;
  readonly port: number;
  /** nginx's `worker_processes`. */
  readonly workers: number;
  /**
   * true (the bench's tuned nginx): a `keepalive` pool per upstream and HTTP/1.1 to it. false: nginx's defaults
   * as most configurations leave them, HTTP/1.0 and a new connection for every upstream request (the auth
   * subrequest included).
   */
  readonly upstreamKeepAlive: boolean;
  /** The trivial auth server (accepts `Bearer foobar`). */
  readonly trivialAuth: string;
  /** The trivial auth server that accepts the bench's JWT as its token. */
  readonly jwtAuth: string;
  /** The trivial JSON backend. */
  readonly trivialBackend: string;
  /** forward-auth's `/auth` with the query the gateway's auth-pybackend middleware sends. */
  readonly forwardAuth: string;
  /** pybackend-ts. */
  readonly pybackend: string;
}

/** The seed walkthrough's stack: nginx in front of a FastAPI forward-auth app and a FastAPI backend. */
export interface SeedNginxSetup {
  readonly dir: string;
  readonly port: number;
  /** The FastAPI forward-auth app's check (`.../auth`). */
  readonly auth: string;
  /** The FastAPI backend. */
  readonly backend: string;
}

/** The identity headers the gateway copies from forward-auth's answer (infra/gateway/dynamic/auth.yml). */
const identityHeaders = ['X-Auth-User', 'X-Auth-Email', 'X-Auth-Roles', 'X-Auth-Client', 'X-Auth-Assertion'];

const variable = (header: string) => header.toLowerCase().replaceAll('-', '_');
const host = (url: string) => new URL(url).host;
const pathOf = (url: string) => {
  const u = new URL(url);
  return `${u.pathname}${u.search}`;
};

/** Writes nginx configuration blocks, with or without keep-alive to the upstreams. */
function blocks(keepAlive: boolean) {
  const http11 = keepAlive ? '\n      proxy_http_version 1.1;\n      proxy_set_header Connection "";' : '';
  return {
    upstream: (name: string, url: string) =>
      `  upstream ${name} { server ${host(url)};${keepAlive ? ' keepalive 64;' : ''} }`,
    /** The internal location `auth_request /_auth_<name>` calls. */
    auth: (name: string, upstream: string, uri: string) => `
    location = /_auth_${name} {
      internal;
      proxy_pass http://${upstream}${uri};
      proxy_pass_request_body off;
      proxy_set_header Content-Length "";
      proxy_set_header X-Forwarded-Method $request_method;
      proxy_set_header X-Forwarded-Uri $request_uri;
      proxy_set_header X-Forwarded-Host $host;
      proxy_set_header X-Forwarded-Proto $scheme;${http11}
    }`,
    /** A prefix proxied with the prefix stripped, behind `auth_request` when `authName` is given. */
    location: (prefix: string, upstream: string, authName?: string, copied: string[] = []) => `
    location ${prefix} {
      ${authName ? `auth_request /_auth_${authName};` : ''}
      ${copied.map((h) => `auth_request_set $${variable(h)} $upstream_http_${variable(h)};\n      proxy_set_header ${h} $${variable(h)};`).join('\n      ')}
      rewrite ^${prefix}/?(.*)$ /$1 break;${http11}
      proxy_pass http://${upstream};
    }`,
  };
}

/** The main and http contexts around `upstreams` and one server's `locations`. No access log. */
function wrap(dir: string, port: number, workers: number, upstreams: string[], locations: string[]): string {
  return `worker_processes ${workers};
daemon off;
pid ${join(dir, 'nginx.pid')};
error_log stderr error;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
${upstreams.join('\n')}
  server {
    listen 127.0.0.1:${port};
    ${locations.join('\n    ')}
  }
}
`;
}

/**
 * nginx doing what the gateway does on each bench path: `auth_request` to an auth server with the identity
 * headers copied from its answer (replacing the client's own), the prefix stripped, and (with
 * `upstreamKeepAlive`) keep-alive pools to every upstream. No access log: the gateway runs without one too.
 */
export function nginxConfig(setup: NginxSetup): string {
  const { upstream, auth, location } = blocks(setup.upstreamKeepAlive);
  return wrap(
    setup.dir,
    setup.port,
    setup.workers,
    [
      upstream('trivial_auth', setup.trivialAuth),
      upstream('jwt_auth', setup.jwtAuth),
      upstream('trivial_backend', setup.trivialBackend),
      upstream('forward_auth', setup.forwardAuth),
      upstream('pybackend', setup.pybackend),
    ],
    [
      location('/fa', 'trivial_backend', 'trivial', ['X-Auth-User']),
      location('/plain', 'trivial_backend'),
      location('/jwt', 'trivial_backend', 'jwt', ['X-Auth-User']),
      location('/pybackend', 'pybackend', 'stack', identityHeaders),
      auth('trivial', 'trivial_auth', pathOf(setup.trivialAuth)),
      auth('jwt', 'jwt_auth', pathOf(setup.jwtAuth)),
      auth('stack', 'forward_auth', pathOf(setup.forwardAuth)),
    ],
  );
}

/**
 * The seed's stack at `/pybackend`: `auth_request` to the FastAPI check, `X-Auth-User` copied, the prefix
 * stripped, one worker. Keep-alive pools to both apps, as the tuned nginx has: the seed's side at its fastest.
 */
export function seedNginxConfig(setup: SeedNginxSetup): string {
  const { upstream, auth, location } = blocks(true);
  return wrap(
    setup.dir,
    setup.port,
    1,
    [upstream('seed_auth', setup.auth), upstream('seed_backend', setup.backend)],
    [
      location('/pybackend', 'seed_backend', 'seed', ['X-Auth-User']),
      auth('seed', 'seed_auth', pathOf(setup.auth)),
    ],
  );
}

/** Writes `config` and starts nginx in the foreground; kill the returned process (SIGQUIT) to stop it. */
export async function startNginx(dir: string, config: string): Promise<ChildProcess> {
  await mkdir(dir, { recursive: true });
  const file = join(dir, 'nginx.conf');
  await writeFile(file, config);
  return spawn('nginx', ['-p', dir, '-c', file], { stdio: ['ignore', 'ignore', 'inherit'] });
}
