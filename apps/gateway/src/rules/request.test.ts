import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { canonicalHost, parseQuery, routingPath } from './index.ts';
import { requestOf } from './testing.ts';

describe('routingPath', () => {
  it('decodes unreserved percent-encodings and keeps reserved ones encoded', () => {
    assert.equal(routingPath('/foo%20bar'), '/foo bar');
    assert.equal(routingPath('/a%2fb'), '/a%2Fb');
    assert.equal(routingPath('/%7Bx%7D'), '/{x}');
    assert.equal(routingPath('/caf%C3%A9'), '/café');
    assert.equal(routingPath('/100%25'), '/100%25');
  });

  it('rejects a broken percent-encoding with ERR_BAD_REQUEST_PATH', () => {
    for (const path of ['/a%', '/a%2', '/a%zz/b']) {
      assert.throws(() => routingPath(path), { code: 'ERR_BAD_REQUEST_PATH' }, path);
    }
  });
});

describe('canonicalHost', () => {
  it('removes the port and brackets, lower-cases and trims', () => {
    assert.equal(canonicalHost(' Example.COM:8080 '), 'example.com');
    assert.equal(canonicalHost('[::1]:80'), '::1');
    assert.equal(canonicalHost('[::1]'), '::1');
    assert.equal(canonicalHost('fe80::1'), 'fe80::1');
    assert.equal(canonicalHost(''), '');
  });
});

describe('parseQuery', () => {
  it("follows Go's url.ParseQuery", () => {
    const query = parseQuery('a=1&a=2&b=x+y&c&d=%41&bad=%zz&semi=1;2&=e');
    assert.deepEqual(query.get('a'), ['1', '2']);
    assert.deepEqual(query.get('b'), ['x y']);
    assert.deepEqual(query.get('c'), ['']);
    assert.deepEqual(query.get('d'), ['A']);
    assert.equal(query.has('bad'), false);
    assert.equal(query.has('semi'), false);
    assert.deepEqual(query.get(''), ['e']);
  });
});

describe('routingRequestFrom', () => {
  it('looks headers up by any case, every line kept', () => {
    const request = requestOf({ headers: { 'x-a': ['1', '2'] } });
    assert.deepEqual(request.header('X-A'), ['1', '2']);
    assert.deepEqual(request.header('x-b'), []);
  });
});
