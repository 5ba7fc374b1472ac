/** replacePathRegex against the cases of Traefik's `pkg/middlewares/replacepathregex/replace_path_regex_test.go`. */

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assertForwarded, assertRefused, type CaseGateway, startCases } from '../testing/middleware-cases.ts';

const rpr = (regex: string, replacement: string) => ({ replacePathRegex: { regex, replacement } });

describe("replacePathRegex: Traefik's cases", () => {
  let gw: CaseGateway;
  before(async () => {
    gw = await startCases({
      simple: rpr('^/whoami/(.*)', '/who-am-i/$1'),
      noRegex: rpr('/whoami', '/who-am-i'),
      empty: rpr('/whoami', ''),
      blank: rpr('/whoami', ' '),
      noMatch: rpr('/no-match', '/whoami'),
      multiple: rpr('^(?i)/downloads/([^/]+)/([^/]+)$', '/downloads/$1-$2'),
      invalid: rpr('^(?err)/invalid/regexp/([^/]+)$', '/valid/regexp/$1'),
      lookahead: rpr('^/(?=a)', '/'),
      escapedReplacement: rpr('/aaa/bbb', '/foo%2Fbar'),
      escapedRegex: rpr('/aaa%2Fbbb', '/foo/bar'),
      escapedNoMatch: rpr('/aaa/bbb', '/foo/bar'),
      backspace: rpr('^/foo/(.*)', '/$1'),
      dots: rpr('^/foo(.*)', '/$1'),
      // biome-ignore lint/suspicious/noTemplateCurlyInString: Go's replacement syntax.
      named: rpr('^/(?P<first>[^/]+)/(?P<second>[^/]+)$', '/${second}/$first/x$1x/$$'),
      trimmed: rpr('  ^/t/(.*)  ', '  /trimmed/$1  '),
    });
  });
  after(() => gw.close());

  for (const [desc, name, path, url, replaced] of [
    ['simple regex', 'simple', '/whoami/and/whoami', '/who-am-i/and/whoami', '/whoami/and/whoami'],
    [
      'simple replace (no regex): every match',
      'noRegex',
      '/whoami/and/whoami',
      '/who-am-i/and/who-am-i',
      '/whoami/and/whoami',
    ],
    ['empty replacement', 'empty', '/whoami/and/whoami', '/and', '/whoami/and/whoami'],
    ['empty trimmed replacement', 'blank', '/whoami/and/whoami', '/and', '/whoami/and/whoami'],
    ['no match: no header', 'noMatch', '/whoami/and/whoami', '/whoami/and/whoami', undefined],
    [
      'multiple replacement',
      'multiple',
      '/downloads/src/source.go',
      '/downloads/src-source.go',
      '/downloads/src/source.go',
    ],
    ['replacement with escaped char', 'escapedReplacement', '/aaa/bbb', '/foo%2Fbar', '/aaa/bbb'],
    ['path and regex with escaped char', 'escapedRegex', '/aaa%2Fbbb', '/foo/bar', '/aaa%2Fbbb'],
    ['path with escaped char (no match)', 'escapedNoMatch', '/aaa%2Fbbb', '/aaa%2Fbbb', undefined],
    ['path with percent-encoded backspace', 'backspace', '/foo/%08bar', '/%08bar', '/foo/%08bar'],
    [
      "Go's template: {name} braced, $name, $1x (a group named 1x: empty), $$",
      'named',
      '/a/b',
      '/b/a/x/$',
      '/a/b',
    ],
    ['regex and replacement are trimmed', 'trimmed', '/t/x', '/trimmed/x', '/t/x'],
  ] as const) {
    it(desc, () => assertForwarded(gw, name, path, url, { 'x-replaced-path': replaced }));
  }

  it('a result with dot segments: 400 (/foo../bar → /../bar)', async () => {
    const reply = await gw.send('dots', '/foo../bar');
    assert.equal(reply.status, 400);
    assert.equal(reply.body, 'Bad Request\n');
  });

  it('invalid regular expressions (Go syntax errors, lookaround) are refused at load', async () => {
    for (const name of ['invalid', 'lookahead']) {
      await assertRefused(gw, name, /replacePathRegex\.regex: invalid regular expression/);
    }
  });
});
