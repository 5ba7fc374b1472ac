/**
 * redirectScheme against the cases of Traefik's `pkg/middlewares/redirect/redirect_scheme_test.go` (ported as
 * facts: config, request, expected status and Location). Traefik's test URLs have no path; a request on the
 * wire always has one, so each Location here ends in `/`.
 */

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assertRefused, type CaseGateway, startCases } from '../testing/middleware-cases.ts';

const configs = {
  https: { redirectScheme: { scheme: 'https' } },
  https8443: { redirectScheme: { scheme: 'https', port: '8443' } },
  https8443permanent: { redirectScheme: { scheme: 'https', port: '8443', permanent: true } },
  http80: { redirectScheme: { scheme: 'http', port: '80' } },
  https443: { redirectScheme: { scheme: 'https', port: '443' } },
  wss9443: { redirectScheme: { scheme: 'wss', port: '9443' } },
  wss: { redirectScheme: { scheme: 'wss' } },
  http8181: { redirectScheme: { scheme: 'http', port: '8181' } },
  noScheme: { redirectScheme: { port: '443' } },
};

type Case = {
  desc: string;
  config: keyof typeof configs;
  host: string;
  path?: string;
  method?: string;
  proto?: string;
  tls?: boolean;
  status: number;
  location?: string;
};

const cases: Case[] = [
  { desc: 'HTTP to HTTPS', config: 'https', host: 'foo', status: 302, location: 'https://foo/' },
  {
    desc: 'X-Forwarded-Proto http',
    config: 'https',
    host: 'foo',
    proto: 'http',
    status: 302,
    location: 'https://foo/',
  },
  {
    desc: 'X-Forwarded-Proto https: already there',
    config: 'https',
    host: 'foo',
    proto: 'https',
    status: 200,
  },
  {
    desc: 'X-Forwarded-Proto unknown: the connection decides',
    config: 'https',
    host: 'foo',
    proto: 'bar',
    status: 302,
    location: 'https://foo/',
  },
  {
    desc: 'X-Forwarded-Proto ws counts as http',
    config: 'https',
    host: 'foo',
    proto: 'ws',
    status: 302,
    location: 'https://foo/',
  },
  { desc: 'X-Forwarded-Proto wss counts as https', config: 'https', host: 'foo', proto: 'wss', status: 200 },
  {
    desc: 'HTTP with port to HTTPS without port',
    config: 'https',
    host: 'foo:8080',
    status: 302,
    location: 'https://foo/',
  },
  {
    desc: 'HTTP without port to HTTPS with port',
    config: 'https8443',
    host: 'foo',
    status: 302,
    location: 'https://foo:8443/',
  },
  {
    desc: 'HTTP with port to HTTPS with port',
    config: 'https8443',
    host: 'foo:8000',
    status: 302,
    location: 'https://foo:8443/',
  },
  {
    desc: 'HTTPS with port to HTTPS with port',
    config: 'https8443',
    host: 'foo:8000',
    proto: 'https',
    status: 302,
    location: 'https://foo:8443/',
  },
  {
    desc: 'HTTPS with port to HTTPS without port',
    config: 'https',
    host: 'foo:8000',
    proto: 'https',
    status: 302,
    location: 'https://foo/',
  },
  {
    desc: 'TLS connection, Host with a port, to HTTPS without port',
    config: 'https',
    host: 'foo:8000',
    tls: true,
    status: 302,
    location: 'https://foo/',
  },
  {
    desc: 'already HTTPS, with a path',
    config: 'https',
    host: 'foo:8000',
    path: '/theother',
    proto: 'https',
    status: 302,
    location: 'https://foo/theother',
  },
  {
    desc: 'HTTP to HTTPS permanent',
    config: 'https8443permanent',
    host: 'foo',
    status: 301,
    location: 'https://foo:8443/',
  },
  {
    desc: 'permanent, POST',
    config: 'https8443permanent',
    host: 'foo',
    method: 'POST',
    status: 308,
    location: 'https://foo:8443/',
  },
  {
    desc: 'temporary, POST',
    config: 'https',
    host: 'foo',
    method: 'POST',
    status: 307,
    location: 'https://foo/',
  },
  {
    desc: 'to HTTP 80 from http://foo:80: already there, no loop',
    config: 'http80',
    host: 'foo:80',
    status: 200,
  },
  {
    desc: 'to HTTPS 443 from https://foo:443: already there',
    config: 'https443',
    host: 'foo:443',
    proto: 'https',
    status: 200,
  },
  { desc: 'to HTTPS 443 over TLS: already there', config: 'https443', host: 'foo', tls: true, status: 200 },
  { desc: 'HTTP to wss', config: 'wss9443', host: 'foo', status: 302, location: 'wss://foo:9443/' },
  { desc: 'HTTP to wss without port', config: 'wss', host: 'foo', status: 302, location: 'wss://foo/' },
  {
    desc: 'HTTP with port to wss without port',
    config: 'wss',
    host: 'foo:5678',
    status: 302,
    location: 'wss://foo/',
  },
  {
    desc: 'HTTP on port 443 to HTTPS without port',
    config: 'https',
    host: 'foo:443',
    status: 302,
    location: 'https://foo/',
  },
  {
    desc: 'HTTP port redirection',
    config: 'http8181',
    host: 'foo:8080',
    status: 302,
    location: 'http://foo:8181/',
  },
  {
    desc: 'HTTPS on port 80 to HTTPS without port',
    config: 'https',
    host: 'foo:80',
    proto: 'https',
    status: 302,
    location: 'https://foo/',
  },
  {
    desc: 'IPv6 to HTTPS without port',
    config: 'https',
    host: '[::1]',
    status: 302,
    location: 'https://[::1]/',
  },
  {
    desc: 'IPv6 to HTTPS with port',
    config: 'https8443',
    host: '[::1]',
    status: 302,
    location: 'https://[::1]:8443/',
  },
  {
    desc: 'IPv6 with port 80 to HTTPS without port',
    config: 'https',
    host: '[::1]:80',
    status: 302,
    location: 'https://[::1]/',
  },
  {
    desc: 'IPv6 with port 80 to HTTPS with port',
    config: 'https8443',
    host: '[::1]:80',
    status: 302,
    location: 'https://[::1]:8443/',
  },
  {
    desc: 'query kept',
    config: 'https',
    host: 'foo',
    path: '/a?b=c',
    status: 302,
    location: 'https://foo/a?b=c',
  },
];

describe("redirectScheme: Traefik's cases", () => {
  let gw: CaseGateway;
  before(async () => {
    gw = await startCases(configs);
  });
  after(() => gw.close());

  for (const c of cases) {
    it(c.desc, async () => {
      const headers: Record<string, string> = { host: c.host };
      if (c.proto) headers['x-forwarded-proto'] = c.proto;
      const reply = await gw.send(c.config, c.path ?? '/', {
        method: c.method ?? 'GET',
        headers,
        tls: c.tls === true,
      });
      assert.equal(reply.status, c.status);
      assert.equal(reply.headers.location, c.location);
    });
  }

  it('without a scheme: the middleware is refused and its router disabled', async () => {
    await assertRefused(gw, 'noScheme', /scheme: is required/);
  });
});
