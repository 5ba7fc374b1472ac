/** stripPrefixRegex against the cases of Traefik's `pkg/middlewares/stripprefixregex/strip_prefix_regex_test.go`. */

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assertForwarded, assertRefused, type CaseGateway, startCases } from '../testing/middleware-cases.ts';

const spr = (...regex: string[]) => ({ stripPrefixRegex: { regex } });

describe("stripPrefixRegex: Traefik's cases", () => {
  let gw: CaseGateway;
  before(async () => {
    gw = await startCases({
      aApi: spr('/a/api/'),
      bAny: spr('/b/([a-z0-9]+)/'),
      cDigits: spr('/c/[a-z0-9]+/[0-9]+/'),
      space: spr('/t /test'),
      api: spr('/api'),
      notAtStart: spr('/x/'),
      second: spr('/nomatch/', ' /second/ '),
      bad: spr('/ok', '(unclosed'),
    });
  });
  after(() => gw.close());

  // [desc, case, path sent, path the backend gets, X-Forwarded-Prefix]; an emptied path is sent as `/`.
  for (const [desc, name, path, url, prefix] of [
    ['/a/test: no match', 'aApi', '/a/test', '/a/test', undefined],
    ['/a/test/: no match', 'aApi', '/a/test/', '/a/test/', undefined],
    ['/a/api/: all stripped', 'aApi', '/a/api/', '/', '/a/api/'],
    ['/a/api/test', 'aApi', '/a/api/test', '/test', '/a/api/'],
    ['/a/api/test/', 'aApi', '/a/api/test/', '/test/', '/a/api/'],
    ['/b/api/', 'bAny', '/b/api/', '/', '/b/api/'],
    ['/b/api: no match', 'bAny', '/b/api', '/b/api', undefined],
    ['/b/api/test1', 'bAny', '/b/api/test1', '/test1', '/b/api/'],
    ['/b/api2/test2', 'bAny', '/b/api2/test2', '/test2', '/b/api2/'],
    ['/c/api/123/', 'cDigits', '/c/api/123/', '/', '/c/api/123/'],
    ['/c/api/123: no match', 'cDigits', '/c/api/123', '/c/api/123', undefined],
    ['/c/api/123/test3', 'cDigits', '/c/api/123/test3', '/test3', '/c/api/123/'],
    ['/c/api/abc/test4: no match', 'cDigits', '/c/api/abc/test4', '/c/api/abc/test4', undefined],
    ['/a/api/a%2Fb: escapes after the prefix kept', 'aApi', '/a/api/a%2Fb', '/a%2Fb', '/a/api/'],
    ['/b/ap%69/test: matched decoded', 'bAny', '/b/ap%69/test', '/test', '/b/api/'],
    ['/b/ap%69/a%2Fb', 'bAny', '/b/ap%69/a%2Fb', '/a%2Fb', '/b/api/'],
    [
      '/t%2F/test/foo: an encoded slash is not a space',
      'space',
      '/t%2F/test/foo',
      '/t%2F/test/foo',
      undefined,
    ],
    ['/t%20/test/a%2Fb: matched decoded', 'space', '/t%20/test/a%2Fb', '/a%2Fb', '/t /test'],
    ['a match that does not start the path is not stripped', 'notAtStart', '/a/x/b', '/a/x/b', undefined],
    ['the first regex that matches wins; patterns are trimmed', 'second', '/second/z', '/z', '/second/'],
  ] as const) {
    it(desc, () => assertForwarded(gw, name, path, url, { 'x-forwarded-prefix': prefix }));
  }

  for (const path of ['/api./foo', '/api../foo']) {
    it(`${path}: 400, the stripped path has dot segments`, async () => {
      assert.equal((await gw.send('api', path)).status, 400);
    });
  }

  it('an invalid regexp in the list disables the middleware', async () => {
    await assertRefused(gw, 'bad', /stripPrefixRegex\.regex\[1\]: invalid regular expression/);
  });
});
