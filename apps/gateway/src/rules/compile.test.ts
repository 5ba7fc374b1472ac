import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compileRule, defaultPriority } from './index.ts';
import { requestOf } from './testing.ts';

function rejects(rule: string, reason: RegExp, syntax: 'v2' | 'v3' = 'v3') {
  assert.throws(
    () => compileRule(rule, syntax),
    (error: Error & { code?: string }) => {
      assert.equal(error.code, 'ERR_INVALID_RULE');
      assert.match(error.message, /^error while parsing rule /);
      assert.match(error.message, reason);
      return true;
    },
  );
}

describe('compileRule: syntax', () => {
  it('gives ! the tightest binding, then &&, then ||', () => {
    const matches = compileRule('Host(`a`) || Host(`b`) && Path(`/x`)');
    assert.equal(matches(requestOf({ host: 'a', path: '/y' })), true);
    assert.equal(matches(requestOf({ host: 'b', path: '/y' })), false);
    assert.equal(matches(requestOf({ host: 'b', path: '/x' })), true);
    const negated = compileRule('!Host(`a`) && Path(`/x`)');
    assert.equal(negated(requestOf({ host: 'c', path: '/x' })), true);
    assert.equal(negated(requestOf({ host: 'a', path: '/x' })), false);
  });

  it('honours parentheses and nested negation', () => {
    const matches = compileRule('(Host(`a`) || Host(`b`)) && !(Path(`/x`) || Path(`/y`))');
    assert.equal(matches(requestOf({ host: 'b', path: '/z' })), true);
    assert.equal(matches(requestOf({ host: 'b', path: '/y' })), false);
    assert.equal(matches(requestOf({ host: 'c', path: '/z' })), false);
  });

  it('reads Go string literals: raw backticks, escapes in double quotes', () => {
    assert.equal(compileRule('Path(`/a\\tb`)')(requestOf({ path: '/a\\tb' })), true);
    assert.equal(compileRule('Header("X-A", "a\\tb")')(requestOf({ headers: { 'x-a': ['a\tb'] } })), true);
    assert.equal(compileRule('Path("/caf\\u00e9")')(requestOf({ path: '/caf%C3%A9' })), true);
    assert.equal(compileRule('Path("/caf\\xc3\\xa9")')(requestOf({ path: '/caf%C3%A9' })), true);
  });

  it('accepts the four spellings of a matcher name and no others', () => {
    for (const name of ['PathPrefix', 'pathprefix', 'PATHPREFIX', 'Pathprefix']) {
      assert.equal(compileRule(`${name}(\`/a\`)`)(requestOf({ path: '/a/b' })), true, name);
    }
    rejects('pathPrefix(`/a`)', /unsupported function: pathPrefix/);
  });

  it('rejects malformed rules with a message saying why', () => {
    rejects('', /empty rule/);
    rejects('Host(example.com)', /not quoted/);
    rejects("Host('example.com')", /single quotes/);
    rejects('Host(`a`', /unexpected end of rule/);
    rejects('Host(`a`) Path(`/`)', /unexpected Path at offset 10/);
    rejects('Host(`a`) &&', /unexpected end of rule/);
    rejects('Host', /not a matcher call/);
    rejects('Host(`a) ', /unterminated string/);
    rejects('Host("a\\qb")', /unknown escape sequence/);
    rejects('Host(`a`) & Path(`/`)', /unexpected character "&"/);
    rejects('Foo(`a`)', /unsupported function: Foo/);
    rejects('Host()', /empty args/);
    rejects('Host(``)', /empty args/);
  });
});

describe('compileRule: v3 matchers', () => {
  it('checks argument counts and values', () => {
    rejects('Host(`a`, `b`)', /unexpected number of parameters for Host; got 2/);
    rejects('Header(`X-A`)', /Header; got 1/);
    rejects('Path(`css`)', /does not start with a '\/'/);
    rejects('Host(`café.com`)', /non-ASCII/);
    rejects('ClientIP(`10.0.0.300`)', /not an IP address or CIDR range/);
    rejects('ClientIP(`10.0.0.0/33`)', /not an IP address or CIDR range/);
  });

  it('rejects regexps RE2 would reject', () => {
    rejects('PathRegexp(`^/(?=a)`)', /lookaround/);
    rejects('PathRegexp(`^/(a)\\1`)', /backreferences/);
    rejects('PathRegexp(`^/(`)', /invalid regexp/);
    rejects('PathRegexp(`^/a\\Z`)', /invalid escape sequence/);
    rejects('PathRegexp(`\\C`)', /invalid escape sequence/);
    rejects('PathRegexp(`a++`)', /invalid nested repetition/);
  });

  it("follows Go's RE2: flags anywhere, negated POSIX classes, \\Q…\\E, Unicode classes, (?m)", () => {
    assert.equal(compileRule('PathRegexp(`^/a(?i)b$`)')(requestOf({ path: '/aB' })), true);
    assert.equal(compileRule('PathRegexp(`^/a(?i)b$`)')(requestOf({ path: '/AB' })), false);
    assert.equal(compileRule('PathRegexp(`^/[[:^digit:]]+$`)')(requestOf({ path: '/abc' })), true);
    assert.equal(compileRule('PathRegexp(`^/[[:^digit:]]+$`)')(requestOf({ path: '/a1c' })), false);
    assert.equal(compileRule('PathRegexp(`^/\\Qa.b\\E$`)')(requestOf({ path: '/axb' })), false);
    assert.equal(compileRule('PathRegexp(`^/(?<id>\\pL+)$`)')(requestOf({ path: '/caf%C3%A9' })), true);
    assert.equal(
      compileRule('HeaderRegexp(`X-A`, `^a$`)')(requestOf({ headers: { 'x-a': ['a\n'] } })),
      false,
    );
    assert.equal(
      compileRule('HeaderRegexp(`X-A`, `(?m)^a$`)')(requestOf({ headers: { 'x-a': ['a\n'] } })),
      true,
    );
  });

  it('Host ignores case, port and a trailing dot; *. stands for one label', () => {
    const host = compileRule('Host(`Example.COM`)');
    assert.equal(host(requestOf({ host: 'EXAMPLE.com:8080' })), true);
    assert.equal(host(requestOf({ host: 'example.com.' })), true);
    assert.equal(host(requestOf({ host: '' })), false);
    const wildcard = compileRule('Host(`*.example.com`)');
    assert.equal(wildcard(requestOf({ host: 'a.example.com' })), true);
    assert.equal(wildcard(requestOf({ host: 'a.b.example.com' })), false);
    assert.equal(compileRule('Host(`10::10`)')(requestOf({ host: '[10::10]:80' })), true);
  });

  it('Method compares the request method as sent', () => {
    const get = compileRule('Method(`get`)');
    assert.equal(get(requestOf({ method: 'GET' })), true);
    assert.equal(get(requestOf({ method: 'get' })), false);
  });

  it('PathPrefix has no segment boundary; Path is exact', () => {
    assert.equal(compileRule('PathPrefix(`/products`)')(requestOf({ path: '/products-for-sale' })), true);
    assert.equal(compileRule('PathPrefix(`/foo/`)')(requestOf({ path: '/foo' })), false);
    assert.equal(compileRule('Path(`/foo bar`)')(requestOf({ path: '/foo%20bar' })), true);
    assert.equal(compileRule('Path(`/a/b`)')(requestOf({ path: '/a%2Fb' })), false);
  });

  it('Header matches any header line, the name ignoring case', () => {
    const header = compileRule('Header(`x-forwarded-proto`, `https`)');
    assert.equal(header(requestOf({ headers: { 'x-forwarded-proto': ['http', 'https'] } })), true);
    assert.equal(header(requestOf({ headers: { 'x-forwarded-proto': ['http, https'] } })), false);
  });

  it('Query with one argument wants the key with an empty value', () => {
    const mobile = compileRule('Query(`mobile`)');
    assert.equal(mobile(requestOf({ rawQuery: 'mobile=' })), true);
    assert.equal(mobile(requestOf({ rawQuery: 'mobile=true' })), false);
    assert.equal(compileRule('Query(`q`, `a b`)')(requestOf({ rawQuery: 'q=a+b' })), true);
    assert.equal(compileRule('QueryRegexp(`q`)')(requestOf({ rawQuery: 'q' })), true);
  });

  it('ClientIP checks the peer, IPv4-mapped IPv6 included', () => {
    const clientIp = compileRule('ClientIP(`10.0.0.0/8`) || ClientIP(`::1`)');
    assert.equal(clientIp(requestOf({ remoteAddr: '::ffff:10.1.2.3' })), true);
    assert.equal(clientIp(requestOf({ remoteAddr: '::1' })), true);
    assert.equal(
      clientIp(requestOf({ remoteAddr: '11.0.0.1', headers: { 'x-forwarded-for': ['10.0.0.1'] } })),
      false,
    );
    assert.equal(clientIp(requestOf({ remoteAddr: '' })), false);
  });

  it('HostRegexp and PathRegexp are unanchored RE2, with named groups and leading flags', () => {
    assert.equal(compileRule('HostRegexp(`example`)')(requestOf({ host: 'www.example.org' })), true);
    assert.equal(compileRule('HostRegexp(`^EXAMPLE`)')(requestOf({ host: 'EXAMPLE.org' })), false);
    assert.equal(compileRule('PathRegexp(`^/(?P<id>[[:digit:]]+)\\z`)')(requestOf({ path: '/42' })), true);
    assert.equal(compileRule('PathRegexp(`(?i)^/API`)')(requestOf({ path: '/api' })), true);
  });
});

describe('compileRule: v2 matchers', () => {
  it('ORs the values of list matchers', () => {
    const host = compileRule('Host(`a.com`, `b.com`)', 'v2');
    assert.equal(host(requestOf({ host: 'b.com' })), true);
    assert.equal(compileRule('Method(`get`)', 'v2')(requestOf({ method: 'get' })), true);
  });

  it('reads gorilla templates in Path, PathPrefix and HostRegexp', () => {
    const path = compileRule('Path(`/users/{id:[0-9]+}`)', 'v2');
    assert.equal(path(requestOf({ path: '/users/42' })), true);
    assert.equal(path(requestOf({ path: '/users/42/x' })), false);
    assert.equal(compileRule('PathPrefix(`/u/{name}`)', 'v2')(requestOf({ path: '/u/bob/x' })), true);
    const host = compileRule('HostRegexp(`{sub:[a-z]+}.example.com`)', 'v2');
    assert.equal(host(requestOf({ host: 'API.example.com' })), true);
    assert.equal(host(requestOf({ host: 'a.b.example.com' })), false);
  });

  it('requires Headers pairs and key=value queries', () => {
    rejects('Headers(`a`, `b`, `c`)', /name\/value pairs/, 'v2');
    rejects('Query(`k`)', /not a key=value pair/, 'v2');
    assert.equal(compileRule('Query(`k={v:[0-9]+}`)', 'v2')(requestOf({ rawQuery: 'k=12' })), true);
    assert.equal(compileRule('Query(`k={v:[0-9]+}`)', 'v2')(requestOf({ rawQuery: 'k=x' })), false);
  });

  it('knows v2 names that v3 dropped, and the reverse', () => {
    assert.equal(compileRule('HostHeader(`a.com`)', 'v2')(requestOf({ host: 'a.com' })), true);
    rejects('HostHeader(`a.com`)', /unsupported function/);
    rejects('Header(`a`, `b`)', /unsupported function/, 'v2');
  });
});

describe('defaultPriority', () => {
  it('is the rule length in bytes', () => {
    assert.equal(defaultPriority('Host(`example.org`)'), 19);
    assert.equal(defaultPriority('Host(`é`)'), 10);
  });
});
