import { type ChildProcess, spawn } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Where nginx listens and what it fronts. */
export interface NginxSetup {
  dir: string;
  port: number;
  authUrl: string;
  backendUrl: string;
}

/**
 * nginx doing what our gateway does for `/pybackend`: `auth_request` to forward-auth, the identity header copied
 * from the auth answer (and the client's own copy replaced), the prefix stripped, keep-alive pools to both upstreams.
 * One worker, no access log: the fairest match for one Node process.
 */
export function nginxConfig(setup: NginxSetup): string {
  const auth = new URL(setup.authUrl);
  const backend = new URL(setup.backendUrl);
  return `worker_processes 1;
daemon off;
pid ${join(setup.dir, 'nginx.pid')};
error_log stderr warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path ${setup.dir}/body;
  proxy_temp_path ${setup.dir}/proxy;
  fastcgi_temp_path ${setup.dir}/fastcgi;
  uwsgi_temp_path ${setup.dir}/uwsgi;
  scgi_temp_path ${setup.dir}/scgi;
  upstream auth { server ${auth.host}; keepalive 64; }
  upstream backend { server ${backend.host}; keepalive 64; }
  server {
    listen 127.0.0.1:${setup.port};
    location /pybackend {
      auth_request /_auth;
      auth_request_set $auth_user $upstream_http_x_auth_user;
      proxy_set_header X-Auth-User $auth_user;
      rewrite ^/pybackend/?(.*)$ /$1 break;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_pass http://backend;
    }
    location = /_auth {
      internal;
      proxy_pass http://auth${auth.pathname};
      proxy_pass_request_body off;
      proxy_set_header Content-Length "";
      proxy_set_header X-Forwarded-Method $request_method;
      proxy_set_header X-Forwarded-Uri $request_uri;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
    }
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
