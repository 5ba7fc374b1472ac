/** addPrefix against the cases of Traefik's `pkg/middlewares/addprefix/add_prefix_test.go`. */

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type CaseGateway, startCases } from '../testing/middleware-cases.ts';

describe("addPrefix: Traefik's cases", () => {
  let gw: CaseGateway;
  before(async () => {
    gw = await startCases({
      a: { addPrefix: { prefix: '/a' } },
      noSlash: { addPrefix: { prefix: 'a' } },
      empty: { addPrefix: { prefix: '' } },
      text: { addPrefix: { prefix: '/50% off' } },
    });
  });
  after(() => gw.close());

  for (const [desc, name, path, url] of [
    ['works with a regular path', 'a', '/b', '/a/b'],
    ['adds the missing leading slash', 'noSlash', '/', '/a/'],
    ['works with a raw path (escapes kept)', 'a', '/b%2Fc', '/a/b%2Fc'],
    ['keeps the query', 'a', '/b?x=1', '/a/b?x=1'],
    ['the prefix is text: % and space are escaped', 'text', '/x', '/50%25%20off/x'],
  ] as const) {
    it(desc, async () => {
      assert.equal((await gw.send(name, path)).status, 200);
      assert.equal(gw.lastReceived()?.url, url);
    });
  }

  it('an empty prefix is refused (its router disabled)', async () => {
    assert.equal((await gw.send('empty', '/x')).status, 404);
    const info = (await fetch(`${gw.gw.admin}/api/http/middlewares/empty@file`).then((r) => r.json())) as {
      error: string[];
    };
    assert.match(info.error.join(), /addPrefix\.prefix: must not be empty/);
  });
});
