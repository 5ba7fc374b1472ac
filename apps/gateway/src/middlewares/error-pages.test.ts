/**
 * errors through a gateway, against the cases of Traefik's `pkg/middlewares/customerrors/custom_errors_test.go`:
 * which answers are replaced, the page request (query placeholders, Host, headers), the status kept whatever
 * the page's own, statusRewrites, and a missing service.
 */

import assert from 'node:assert/strict';
import { STATUS_CODES } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { closedPort, startUpstream, type Upstream } from '../testing/harness.ts';
import { assertRefused, type CaseGateway, startCases } from '../testing/middleware-cases.ts';

type Page = { method: string; url: string; host: string; headers: Record<string, string>; body: string };

describe("errors: Traefik's cases", () => {
  let backend: Upstream;
  let pages: Upstream;
  let gw: CaseGateway;
  const ranges = ['500-501', '503-599'];

  before(async () => {
    // Answers with the status the request asks for (`x-status`), its status text as body.
    backend = await startUpstream((req, res) => {
      const status = Number(req.headers['x-status'] ?? 200);
      res.writeHead(status, { 'x-from': 'backend' });
      res.end(status === 304 ? undefined : `${STATUS_CODES[status]}\n`);
    });
    // The error pages: says what it was asked, with its own status 200.
    pages = await startUpstream((req, res, body) => {
      res.writeHead(200, { 'content-type': 'application/json', 'x-from': 'pages' });
      res.end(
        JSON.stringify({
          method: req.method,
          url: req.url,
          host: req.headers.host,
          headers: req.headers,
          body,
        }),
      );
    });
    gw = await startCases(
      {
        test: { errors: { status: ranges, service: 'pages', query: '/test' } },
        byStatus: { errors: { status: ['503'], service: 'pages', query: '/{status}' } },
        full: { errors: { status: ['503'], service: 'pages', query: '/?status={status}&url={url}' } },
        allowlist: {
          errors: {
            status: ['503'],
            service: 'pages',
            query: '/test',
            errorRequestHeaders: ['X-Request-Id'],
          },
        },
        noHeaders: { errors: { status: ['503'], service: 'pages', query: '/test', errorRequestHeaders: [] } },
        rewrite: {
          errors: {
            status: ['500-599'],
            service: 'pages',
            query: '/{status}?from={originalStatus}',
            statusRewrites: { '503': 404, '500-502': 418 },
          },
        },
        noQuery: { errors: { status: ['500-599'], service: 'pages' } },
        missing: { errors: { status: ['500'], service: 'nowhere' } },
        badRange: { errors: { status: ['5xx'], service: 'pages' } },
        gatewayError: { errors: { status: ['502'], service: 'pages', query: '/down' } },
      },
      {
        upstream: backend,
        extra: {
          services: { pages: pages.url, down: `http://127.0.0.1:${await closedPort()}` },
          serviceOf: { gatewayError: 'down' },
        },
      },
    );
  });
  after(async () => {
    await gw.close();
    await backend.close();
    await pages.close();
  });

  const send = (
    name: string,
    status: number,
    init: { method?: string; body?: string; headers?: Record<string, string> } = {},
  ) =>
    gw.send(name, '/test?foo=bar&baz=buz', {
      ...init,
      headers: { host: 'localhost', 'x-status': String(status), ...init.headers },
    });

  for (const [desc, status] of [
    ['no error', 200],
    ['no error, but not a 200', 206],
    ['not in the ranges', 502],
  ] as const) {
    it(`${desc}: the answer passes untouched`, async () => {
      const reply = await send('test', status);
      assert.equal(reply.status, status);
      assert.equal(reply.body, `${STATUS_CODES[status]}\n`);
      assert.equal(reply.headers['x-from'], 'backend');
    });
  }

  it('a 304 passes, with no body', async () => {
    const reply = await send('test', 304);
    assert.equal(reply.status, 304);
    assert.equal(reply.body, '');
  });

  it('in the ranges: the page, with the caught status although the page answered 200', async () => {
    const reply = await send('test', 500);
    assert.equal(reply.status, 500);
    assert.equal(reply.headers['x-from'], 'pages');
    const page = reply.json<Page>();
    assert.equal(page.method, 'GET');
    assert.equal(page.url, '/test');
  });

  it('{status} in the query', async () => {
    const reply = await send('byStatus', 503);
    assert.equal(reply.status, 503);
    assert.equal(reply.json<Page>().url, '/503');
  });

  it("the page request keeps the request's Host", async () => {
    assert.equal((await send('byStatus', 503)).json<Page>().host, 'localhost');
  });

  it('{url}: the URL the client asked for, query-escaped', async () => {
    const page = (await send('full', 503)).json<Page>();
    assert.equal(page.url, '/?status=503&url=http%3A%2F%2Flocalhost%2Ftest%3Ffoo%3Dbar%26baz%3Dbuz');
  });

  const secrets = { 'x-request-id': 'trace-abc', authorization: 'Bearer secret' };
  for (const [desc, name, expected] of [
    [
      'every request header is forwarded by default',
      'byStatus',
      { 'x-request-id': 'trace-abc', authorization: 'Bearer secret' },
    ],
    [
      'only errorRequestHeaders are forwarded',
      'allowlist',
      { 'x-request-id': 'trace-abc', authorization: undefined },
    ],
    [
      'an empty errorRequestHeaders forwards none',
      'noHeaders',
      { 'x-request-id': undefined, authorization: undefined },
    ],
  ] as const) {
    it(desc, async () => {
      const headers = (await send(name, 503, { headers: secrets })).json<Page>().headers;
      assert.equal(headers['x-request-id'], expected['x-request-id']);
      assert.equal(headers.authorization, expected.authorization);
    });
  }

  it('statusRewrites: the status sent and {status} are rewritten, {originalStatus} is the caught one', async () => {
    const reply = await send('rewrite', 503);
    assert.equal(reply.status, 404);
    assert.equal(reply.json<Page>().url, '/404?from=503');
    const range = await send('rewrite', 501);
    assert.equal(range.status, 418);
    assert.equal(range.json<Page>().url, '/418?from=501');
    assert.equal((await send('rewrite', 504)).status, 504);
  });

  it('the page request is a GET without the body of the request', async () => {
    const page = (await send('noQuery', 500, { method: 'POST', body: 'payload' })).json<Page>();
    assert.deepEqual(
      [page.method, page.url, page.body, page.headers['content-length']],
      ['GET', '/', '', undefined],
    );
  });

  it("the gateway's own answers are caught too (a server that is down: 502)", async () => {
    const reply = await send('gatewayError', 200);
    assert.equal(reply.status, 502);
    assert.equal(reply.json<Page>().url, '/down');
  });

  for (const [name, error] of [
    ['missing', /the service "nowhere@file" does not exist/],
    ['badRange', /invalid status code range "5xx"/],
  ] as const) {
    it(`refused at load: ${name}`, async () => {
      await assertRefused(gw, name, error);
    });
  }
});
