/** replacePath against the cases of Traefik's `pkg/middlewares/replacepath/replace_path_test.go`. */

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assertForwarded, type CaseGateway, startCases } from '../testing/middleware-cases.ts';

describe("replacePath: Traefik's cases", () => {
  let gw: CaseGateway;
  before(async () => {
    gw = await startCases({
      simple: { replacePath: { path: '/replacement-path' } },
      escaped: { replacePath: { path: '/foo%2Fbar' } },
      backspace: { replacePath: { path: '/path/%08bar' } },
      space: { replacePath: { path: '/a b' } },
      broken: { replacePath: { path: '/a%zz' } },
    });
  });
  after(() => gw.close());

  for (const [desc, name, path, url, replaced] of [
    ['simple path', 'simple', '/example', '/replacement-path', '/example'],
    ['long path', 'simple', '/some/really/long/path', '/replacement-path', '/some/really/long/path'],
    ['path with escaped value', 'simple', '/foo%2Fbar', '/replacement-path', '/foo%2Fbar'],
    ['replacement with escaped value', 'escaped', '/path', '/foo%2Fbar', '/path'],
    [
      'replacement with percent-encoded backspace',
      'backspace',
      '/path/%08bar',
      '/path/%08bar',
      '/path/%08bar',
    ],
    ['a replacement Go must escape', 'space', '/x', '/a%20b', '/x'],
    ['the query is kept', 'simple', '/example?q=1', '/replacement-path?q=1', '/example'],
  ] as const) {
    it(desc, () => assertForwarded(gw, name, path, url, { 'x-replaced-path': replaced }));
  }

  it("a path Go cannot unescape: 500 with Go's message, the backend not called", async () => {
    const count = gw.upstream.received.length;
    const reply = await gw.send('broken', '/x');
    assert.equal(reply.status, 500);
    assert.equal(reply.body, 'invalid URL escape "%zz"\n');
    assert.equal(gw.upstream.received.length, count);
  });
});
