import assert from 'node:assert/strict';
import { it } from 'node:test';
import { type NginxSetup, nginxConfig, seedNginxConfig } from './nginx.ts';

const setup = (upstreamKeepAlive: boolean): NginxSetup => ({
  dir: '/tmp/n',
  port: 8080,
  workers: 1,
  upstreamKeepAlive,
  trivialAuth: 'http://127.0.0.1:1001/auth',
  jwtAuth: 'http://127.0.0.1:1002/auth',
  trivialBackend: 'http://127.0.0.1:1003',
  forwardAuth: 'http://127.0.0.1:1004/auth?aud=pybackend-ts&aud=model-service',
  pybackend: 'http://127.0.0.1:1005',
});

const count = (text: string, pattern: RegExp) =>
  text.match(new RegExp(pattern, `${pattern.flags}g`))?.length ?? 0;

it('tuned nginx pools every upstream and speaks HTTP/1.1 to it, auth subrequests included', () => {
  const text = nginxConfig(setup(true));
  assert.equal(count(text, /^ {2}upstream \w+ \{ server 127\.0\.0\.1:\d+; keepalive 64; \}$/m), 5);
  // 4 proxied locations + 3 auth locations.
  assert.equal(count(text, /proxy_http_version 1\.1;/), 7);
  assert.equal(count(text, /proxy_set_header Connection "";/), 7);
  assert.match(text, /proxy_pass http:\/\/forward_auth\/auth\?aud=pybackend-ts&aud=model-service;/);
});

it("nginx with default upstream settings has no pool and leaves nginx's HTTP/1.0 and Connection: close", () => {
  const text = nginxConfig(setup(false));
  assert.equal(count(text, /keepalive/), 0);
  assert.equal(count(text, /proxy_http_version/), 0);
  assert.equal(count(text, /Connection/), 0);
  // Everything else is the tuned nginx's: the same locations, auth and copied headers.
  const withoutKeepAlive = nginxConfig(setup(true))
    .replaceAll(' keepalive 64;', '')
    .replaceAll('\n      proxy_http_version 1.1;\n      proxy_set_header Connection "";', '');
  assert.equal(text, withoutKeepAlive);
});

it("fronts the seed's FastAPI apps at /pybackend behind auth_request, copying X-Auth-User", () => {
  const text = seedNginxConfig({
    dir: '/tmp/s',
    port: 9000,
    auth: 'http://127.0.0.1:2001/auth',
    backend: 'http://127.0.0.1:2002',
  });
  assert.match(text, /location \/pybackend \{\s+auth_request \/_auth_seed;/);
  assert.match(text, /auth_request_set \$x_auth_user \$upstream_http_x_auth_user;/);
  assert.match(text, /rewrite \^\/pybackend\/\?\(\.\*\)\$ \/\$1 break;/);
  assert.match(text, /proxy_pass http:\/\/seed_auth\/auth;/);
  assert.match(text, /upstream seed_backend \{ server 127\.0\.0\.1:2002; keepalive 64; \}/);
  assert.match(text, /listen 127\.0\.0\.1:9000;/);
});
