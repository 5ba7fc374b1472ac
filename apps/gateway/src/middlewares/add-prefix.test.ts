/** addPrefix against the cases of Traefik's `pkg/middlewares/addprefix/add_prefix_test.go`. */

import { after, before, describe, it } from 'node:test';
import { assertForwarded, assertRefused, type CaseGateway, startCases } from '../testing/middleware-cases.ts';

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
    it(desc, () => assertForwarded(gw, name, path, url));
  }

  it('an empty prefix is refused (its router disabled)', async () => {
    await assertRefused(gw, 'empty', /addPrefix\.prefix: must not be empty/);
  });
});
