/**
 * redirectRegex against the cases of Traefik's `pkg/middlewares/redirect/redirect_regex_test.go`. Traefik's
 * test URLs have no path; a request on the wire always has one, so the URLs here end in `/`.
 */

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type CaseGateway, startCases } from '../testing/middleware-cases.ts';

const rr = (regex: string, replacement: string, permanent = false) => ({
  redirectRegex: { regex, replacement, permanent },
});
const www = rr('(https?)://[^/:]+(:[0-9]+)?/(.*)', '$1://example.com$2/$3', true);

describe("redirectRegex: Traefik's cases", () => {
  let gw: CaseGateway;
  before(async () => {
    gw = await startCases({
      // biome-ignore lint/suspicious/noTemplateCurlyInString: Go's replacement syntax.
      simple: rr('^(?:http?:\\/\\/)(foo)(\\.com)(:\\d+)(.*)$', 'https://${1}bar$2:443$4'),
      invalidUrl: rr('^(.*)$', 'http://192.168.0.%31/'),
      invalidRegex: rr('^(.*', '$1'),
      toHttpsPermanent: rr('^http://', 'https://$1', true),
      toHttpPermanent: rr('https://foo', 'http://foo', true),
      http80: rr('http://foo:80', 'https://foo:443'),
      https443: rr('https://foo:443', 'http://foo:80'),
      http88: rr('http://foo:80', 'http://foo:88'),
      toHttps: rr('^http://', 'https://$1'),
      www,
      same: rr('^(.*)$', '$1'),
      crlf: rr('^http://foo/(.*)$', 'http://foo/\r\nx: y'),
    });
  });
  after(() => gw.close());

  type Case = [
    desc: string,
    name: string,
    host: string,
    opts: { method?: string; tls?: boolean; proto?: string; path?: string },
    status: number,
    location?: string,
  ];
  const cases: Case[] = [
    ['simple redirection', 'simple', 'foo.com:80', {}, 302, 'https://foobar.com:443/'],
    ["URL doesn't match regex", 'simple', 'bar.com:80', {}, 200],
    ['invalid rewritten URL: 502', 'invalidUrl', 'foo.com:80', {}, 502],
    ['HTTP to HTTPS permanent', 'toHttpsPermanent', 'foo', {}, 301, 'https://foo/'],
    ['HTTPS to HTTP permanent', 'toHttpPermanent', 'foo', { tls: true }, 301, 'http://foo/'],
    ['HTTP to HTTPS', 'http80', 'foo:80', {}, 302, 'https://foo:443/'],
    ['X-Forwarded-Proto is not consulted', 'http80', 'foo:80', { proto: 'https' }, 302, 'https://foo:443/'],
    ['HTTPS to HTTP', 'https443', 'foo:443', { tls: true }, 302, 'http://foo:80/'],
    ['HTTP to HTTP', 'http88', 'foo:80', {}, 302, 'http://foo:88/'],
    ['HTTP to HTTPS, POST: 307', 'toHttps', 'foo', { method: 'POST' }, 307, 'https://foo/'],
    [
      'HTTP to HTTPS, POST, permanent: 308',
      'toHttpsPermanent',
      'foo',
      { method: 'POST' },
      308,
      'https://foo/',
    ],
    [
      'www-redirect without port',
      'www',
      'www.example.com',
      { path: '/path' },
      301,
      'http://example.com/path',
    ],
    [
      'www-redirect with port',
      'www',
      'www.example.com:8080',
      { path: '/path' },
      301,
      'http://example.com:8080/path',
    ],
    ['www-redirect, root path', 'www', 'www.example.com', {}, 301, 'http://example.com/'],
    [
      'www-redirect HTTPS without port',
      'www',
      'www.example.com',
      { tls: true, path: '/path' },
      301,
      'https://example.com/path',
    ],
    ['the same URL passes through', 'same', 'foo', { path: '/a?b' }, 200],
    ['a replacement with CR LF: 502, no header injected', 'crlf', 'foo', { path: '/x' }, 502],
  ];

  for (const [desc, name, host, opts, status, location] of cases) {
    it(desc, async () => {
      const headers: Record<string, string> = { host };
      if (opts.proto) headers['x-forwarded-proto'] = opts.proto;
      const reply = await gw.send(name, opts.path ?? '/', { headers, method: opts.method, tls: opts.tls });
      assert.equal(reply.status, status);
      assert.equal(reply.headers.location, location);
      if (status === 502) assert.equal(reply.body, 'Bad Gateway');
      if (status === 200) assert.equal(gw.lastReceived()?.url, opts.path ?? '/');
    });
  }

  it('an invalid regex is refused at load', async () => {
    assert.equal((await gw.send('invalidRegex', '/', { headers: { host: 'foo' } })).status, 404);
  });
});
