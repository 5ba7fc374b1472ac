import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ReturnUrls } from './return-url.ts';

const urls = new ReturnUrls('http://localhost:8000', ['https://app.example']);

describe('ReturnUrls.check', () => {
  it('accepts same-origin and allowed-origin URLs, absolute or relative', () => {
    assert.equal(
      urls.check('http://localhost:8000/pybackend/x?y=1'),
      'http://localhost:8000/pybackend/x?y=1',
    );
    assert.equal(urls.check('/pybackend'), 'http://localhost:8000/pybackend');
    assert.equal(urls.check('https://app.example/home'), 'https://app.example/home');
    assert.equal(urls.check('HTTP://LOCALHOST:8000/a'), 'http://localhost:8000/a');
  });

  it('refuses other origins and the tricks that reach them', () => {
    for (const candidate of [
      'https://evil.example/',
      '//evil.example/path',
      '/\\evil.example',
      '\\\\evil.example',
      'https:evil.example',
      'http://localhost:8000@evil.example/',
      'http://user:pass@localhost:8000/',
      'http://localhost:8001/',
      'https://localhost:8000/',
      'javascript:alert(1)',
      'data:text/html,<script>alert(1)</script>',
      '/\t/evil.example',
      '/\n/evil.example',
      'http://app.example/',
    ]) {
      assert.equal(urls.check(candidate), null, candidate);
    }
    assert.equal(urls.check(''), null);
    assert.equal(urls.check(undefined), null);
  });

  it('falls back to the public root', () => {
    assert.equal(urls.resolve('https://evil.example/'), 'http://localhost:8000/');
    assert.equal(urls.resolve(undefined), 'http://localhost:8000/');
  });
});

describe('ReturnUrls.forwarded', () => {
  const forwarded = (headers: Record<string, string>) => urls.forwarded(headers);

  it('rebuilds the original URL from Traefik headers', () => {
    assert.equal(
      forwarded({
        'x-forwarded-proto': 'http',
        'x-forwarded-host': 'localhost:8000',
        'x-forwarded-uri': '/pybackend/a?b=c',
      }),
      'http://localhost:8000/pybackend/a?b=c',
    );
    assert.equal(
      forwarded({ 'x-forwarded-proto': 'http', 'x-forwarded-host': 'localhost:8000' }),
      'http://localhost:8000/',
    );
  });

  it('refuses other hosts, odd schemes, and hosts that smuggle a path or credentials', () => {
    const cases: Record<string, string>[] = [
      { 'x-forwarded-proto': 'http', 'x-forwarded-host': 'evil.example', 'x-forwarded-uri': '/' },
      { 'x-forwarded-proto': 'ftp', 'x-forwarded-host': 'localhost:8000', 'x-forwarded-uri': '/' },
      {
        'x-forwarded-proto': 'http',
        'x-forwarded-host': 'evil.example/@localhost:8000',
        'x-forwarded-uri': '/',
      },
      {
        'x-forwarded-proto': 'http',
        'x-forwarded-host': 'localhost:8000@evil.example',
        'x-forwarded-uri': '/',
      },
      { 'x-forwarded-proto': 'http', 'x-forwarded-host': 'localhost:8000', 'x-forwarded-uri': 'evil' },
      { 'x-forwarded-host': 'localhost:8000', 'x-forwarded-uri': '/' },
    ];
    for (const headers of cases) {
      assert.equal(forwarded(headers), null, JSON.stringify(headers));
    }
  });

  it('keeps a path that starts with two slashes on the same origin', () => {
    assert.equal(
      forwarded({
        'x-forwarded-proto': 'http',
        'x-forwarded-host': 'localhost:8000',
        'x-forwarded-uri': '//evil.example/x',
      }),
      'http://localhost:8000//evil.example/x',
    );
  });
});
