import { type ChildProcess, spawn } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Where nginx listens and what it fronts. */
export interface NginxSetup {
  readonly dir: string;
  readonly port: number;
  /** nginx's `worker_processes`. */
  readonly workers: number;
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

/** The identity headers the gateway copies from forward-auth's answer (infra/gateway/dynamic/auth.yml). */
const identityHeaders = ['X-Auth-User', 'X-Auth-Email', 'X-Auth-Roles', 'X-Auth-Client', 'X-Auth-Assertion'];

const variable = (header: string) => header.toLowerCase().replaceAll('-', '_');

/**
 * nginx doing what the gateway does on each bench path: `auth_request` to an auth server with the identity
 * headers copied from its answer (replacing the client's own), the prefix stripped, keep-alive pools to every
 * upstream. No access log: the gateway runs without one too.
 */
export function nginxConfig(setup: NginxSetup): string {
  const host = (url: string) => new URL(url).host;
  const path = (url: string) => {
    const u = new URL(url);
    return `${u.pathname}${u.search}`;
  };
  const auth = (name: string, upstream: string, uri: string) => `
    location = /_auth_${name} {
      internal;
      proxy_pass http://${upstream}${uri};
      proxy_pass_request_body off;
      proxy_set_header Content-Length "";
      proxy_set_header X-Forwarded-Method $request_method;
      proxy_set_header X-Forwarded-Uri $request_uri;
      proxy_set_header X-Forwarded-Host $host;
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
    }`;
  const location = (prefix: string, upstream: string, authName?: string, copied: string[] = []) => `
    location ${prefix} {
      ${authName ? `auth_request /_auth_${authName};` : ''}
      ${copied.map((h) => `auth_request_set $${variable(h)} $upstream_http_${variable(h)};\n      proxy_set_header ${h} $${variable(h)};`).join('\n      ')}
      rewrite ^${prefix}/?(.*)$ /$1 break;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_pass http://${upstream};
    }`;
  return `worker_processes ${setup.workers};
daemon off;
pid ${join(setup.dir, 'nginx.pid')};
error_log stderr error;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path ${setup.dir}/body;
  proxy_temp_path ${setup.dir}/proxy;
  fastcgi_temp_path ${setup.dir}/fastcgi;
  uwsgi_temp_path ${setup.dir}/uwsgi;
  scgi_temp_path ${setup.dir}/scgi;
  upstream trivial_auth { server ${host(setup.trivialAuth)}; keepalive 64; }
  upstream jwt_auth { server ${host(setup.jwtAuth)}; keepalive 64; }
  upstream trivial_backend { server ${host(setup.trivialBackend)}; keepalive 64; }
  upstream forward_auth { server ${host(setup.forwardAuth)}; keepalive 64; }
  upstream pybackend { server ${host(setup.pybackend)}; keepalive 64; }
  server {
    listen 127.0.0.1:${setup.port};
    ${location('/fa', 'trivial_backend', 'trivial', ['X-Auth-User'])}
    ${location('/plain', 'trivial_backend')}
    ${location('/jwt', 'trivial_backend', 'jwt', ['X-Auth-User'])}
    ${location('/pybackend', 'pybackend', 'stack', identityHeaders)}
    ${auth('trivial', 'trivial_auth', path(setup.trivialAuth))}
    ${auth('jwt', 'jwt_auth', path(setup.jwtAuth))}
    ${auth('stack', 'forward_auth', path(setup.forwardAuth))}
  }
}
`;
}

/** Writes the config and starts nginx in the foreground; kill the returned process to stop it. */
export async function startNginx(setup: NginxSetup): Promise<ChildProcess> {
  await mkdir(setup.dir, { recursive: true });
  const file = join(setup.dir, 'nginx.conf');
  await writeFile(file, nginxConfig(setup));
  return spawn('nginx', ['-p', setup.dir, '-c', file], { stdio: ['ignore', 'ignore', 'inherit'] });
}
