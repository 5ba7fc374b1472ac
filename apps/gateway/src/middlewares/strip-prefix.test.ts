/**
 * stripPrefix against the cases of Traefik's `pkg/middlewares/stripprefix/strip_prefix_test.go` (ported as
 * facts: prefixes, request path → path the backend gets, X-Forwarded-Prefix, or 400).
 */

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type CaseGateway, startCases } from '../testing/middleware-cases.ts';

const configs = {
  none: { stripPrefix: { prefixes: [] } },
  root: { stripPrefix: { prefixes: ['/'] } },
  stat: { stripPrefix: { prefixes: ['/stat'] } },
  statSlash: { stripPrefix: { prefixes: ['/stat/'] } },
  earlier: { stripPrefix: { prefixes: ['/stat', '/stat/us'] } },
  later: { stripPrefix: { prefixes: ['/mismatch', '/stat'] } },
  apiSlash: { stripPrefix: { prefixes: ['/api/'] } },
  api: { stripPrefix: { prefixes: ['/api'] } },
  apiForceSlash: { stripPrefix: { prefixes: ['/api'], forceSlash: true } },
};

type Case = {
  desc: string;
  config: keyof typeof configs;
  path: string;
  status?: number;
  url?: string;
  prefix?: string;
};

// An emptied path is sent as `/`.
const cases: Case[] = [
  { desc: 'no prefixes configured', config: 'none', path: '/noprefixes', url: '/noprefixes' },
  { desc: 'wildcard (/) prefix', config: 'root', path: '/', url: '/', prefix: '/' },
  { desc: 'prefix and path matching', config: 'stat', path: '/stat', url: '/', prefix: '/stat' },
  {
    desc: 'path prefix on exactly matching path',
    config: 'statSlash',
    path: '/stat/',
    url: '/',
    prefix: '/stat/',
  },
  {
    desc: 'path prefix on matching longer path',
    config: 'statSlash',
    path: '/stat/us',
    url: '/us',
    prefix: '/stat/',
  },
  { desc: 'path prefix on mismatching path', config: 'statSlash', path: '/status', url: '/status' },
  { desc: 'general prefix on matching path', config: 'stat', path: '/stat/', url: '/', prefix: '/stat' },
  { desc: 'earlier prefix matching', config: 'earlier', path: '/stat/us', url: '/us', prefix: '/stat' },
  { desc: 'later prefix matching', config: 'later', path: '/stat', url: '/', prefix: '/stat' },
  {
    desc: 'prefix matching within slash boundaries',
    config: 'stat',
    path: '/status',
    url: '/us',
    prefix: '/stat',
  },
  { desc: 'raw path is also stripped', config: 'stat', path: '/stat/a%2Fb', url: '/a%2Fb', prefix: '/stat' },
  {
    desc: 'encoded char in prefix segment of raw path',
    config: 'apiSlash',
    path: '/ap%69/a%2Fb',
    url: '/a%2Fb',
    prefix: '/api/',
  },
  { desc: 'dot in the path not stripped by the prefix', config: 'api', path: '/api./foo', status: 400 },
  {
    desc: 'multiple dots in the path not stripped by the prefix',
    config: 'api',
    path: '/api../foo',
    status: 400,
  },
  { desc: 'multiple dots, with forceSlash', config: 'apiForceSlash', path: '/api../foo', status: 400 },
];

describe("stripPrefix: Traefik's cases", () => {
  let gw: CaseGateway;
  before(async () => {
    gw = await startCases(configs);
  });
  after(() => gw.close());

  for (const c of cases) {
    it(c.desc, async () => {
      const before = gw.upstream.received.length;
      const reply = await gw.send(c.config, c.path);
      assert.equal(reply.status, c.status ?? 200);
      if (c.status === 400) {
        assert.equal(reply.body, 'Bad Request\n');
        assert.equal(gw.upstream.received.length, before, 'the backend is not called');
        return;
      }
      const seen = gw.lastReceived();
      assert.equal(seen?.url, c.url);
      assert.equal(seen?.headers['x-forwarded-prefix'], c.prefix);
    });
  }
});
