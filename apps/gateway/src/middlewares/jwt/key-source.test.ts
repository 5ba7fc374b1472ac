import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FlattenedJWSInput } from 'jose';
import { KeysUnavailableError } from '../../errors.ts';
import { startUpstream } from '../../testing/harness.ts';
import { startIssuer, type TestIssuer } from '../../testing/test-issuer.ts';
import type { KeyCache } from './key-sets.ts';
import { type KeyFetch, KeySource, type KeySourceOptions } from './key-source.ts';

const token: FlattenedJWSInput = { payload: '', signature: '' };
const fetchDirect: KeyFetch = (url, init) => fetch(url, init);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('jwt key source', () => {
  let issuer: TestIssuer;
  let errors: KeysUnavailableError[];

  before(async () => {
    issuer = await startIssuer();
    await issuer.addKey('k1');
  });
  after(() => issuer.close());

  const source = (overrides: Partial<KeySourceOptions> = {}) => {
    errors = [];
    return new KeySource({
      issuer: issuer.url,
      discoveryUrl: issuer.discoveryUrl,
      jwksUrl: undefined,
      timeout: 1_000,
      cooldown: 30_000,
      cacheMaxAge: 600_000,
      retryDelay: 500,
      fetch: fetchDirect,
      cache: { jwks: {} },
      onError: (error) => errors.push(error),
      ...overrides,
    });
  };
  const count = (path: string) => issuer.requests.filter((request) => request === path).length;

  it('discovers the JWKS, then a source built on the same cache (a reload) fetches nothing', async () => {
    const cache: KeyCache = { jwks: {} };
    const before = issuer.requests.length;
    const key = await source({ cache }).getKey({ alg: 'RS256', kid: 'k1' }, token);
    assert.equal(key.type, 'public');
    assert.deepEqual(issuer.requests.slice(before), ['/.well-known/openid-configuration', '/jwks']);
    assert.equal(cache.jwksUri, issuer.jwksUrl);
    assert.equal(cache.jwks.jwks?.keys.length, 1);

    await source({ cache }).getKey({ alg: 'RS256', kid: 'k1' }, token);
    assert.equal(issuer.requests.length, before + 2);
  });

  it('uses the keys it has when a refresh fails, and asks again only after retryDelay', async () => {
    const jwksUrl = `${issuer.jwksUrl}?stale`;
    const keys = source({ jwksUrl, discoveryUrl: undefined, cacheMaxAge: 30 });
    await keys.getKey({ alg: 'RS256', kid: 'k1' }, token);
    await sleep(40);
    issuer.setDown(true);
    try {
      const fetches = count('/jwks?stale');
      assert.equal((await keys.getKey({ alg: 'RS256', kid: 'k1' }, token)).type, 'public', 'stale key');
      assert.equal(count('/jwks?stale'), fetches + 1);
      assert.equal(errors.length, 1);
      assert.match(errors[0]?.message ?? '', /^cannot get the key set .*\?stale: /);

      await keys.getKey({ alg: 'RS256', kid: 'k1' }, token);
      assert.equal(count('/jwks?stale'), fetches + 1, 'no fetch within retryDelay');
      await assert.rejects(keys.getKey({ alg: 'RS256', kid: 'k9' }, token), {
        code: 'ERR_JWKS_NO_MATCHING_KEY',
      });

      await sleep(550);
      issuer.setDown(false);
      await keys.getKey({ alg: 'RS256', kid: 'k1' }, token);
      assert.equal(count('/jwks?stale'), fetches + 2);
      assert.equal(errors.length, 1);
    } finally {
      issuer.setDown(false);
    }
  });

  it('with no keys at all, fails with KeysUnavailableError until the issuer answers', async () => {
    issuer.setDown(true);
    const keys = source({ jwksUrl: `${issuer.jwksUrl}?none`, discoveryUrl: undefined });
    try {
      await assert.rejects(keys.getKey({ alg: 'RS256', kid: 'k1' }, token), {
        code: 'ERR_JWT_KEYS_UNAVAILABLE',
      });
      await assert.rejects(keys.getKey({ alg: 'RS256', kid: 'k1' }, token), KeysUnavailableError);
      assert.equal(errors.length, 1, 'one attempt within retryDelay');
    } finally {
      issuer.setDown(false);
    }
    await sleep(550);
    assert.equal((await keys.getKey({ alg: 'RS256', kid: 'k1' }, token)).type, 'public');
  });

  it('refuses a discovery document that names another issuer, or has no usable jwks_uri', async () => {
    const documents: unknown[] = [
      { issuer: `${issuer.url}/`, jwks_uri: issuer.jwksUrl },
      { issuer: issuer.url },
      { issuer: issuer.url, jwks_uri: 'file:///etc/keys' },
      ['not', 'an', 'object'],
    ];
    let served: unknown;
    const fake = await startUpstream((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(served));
    });
    try {
      const messages = [
        /names the issuer "http:\/\/127\.0\.0\.1:\d+\/", expected "http:\/\/127\.0\.0\.1:\d+"/,
        /has no http\(s\) jwks_uri/,
        /has no http\(s\) jwks_uri/,
        /is not a JSON object/,
      ];
      for (const [index, document] of documents.entries()) {
        served = document;
        const keys = source({ discoveryUrl: `${fake.url}/.well-known/openid-configuration` });
        await assert.rejects(keys.getKey({ alg: 'RS256', kid: 'k1' }, token), (error: Error) => {
          assert.ok(error instanceof KeysUnavailableError);
          assert.match(error.message, messages[index] as RegExp);
          return true;
        });
      }
    } finally {
      await fake.close();
    }
  });

  it('refuses a discovery answer other than 200 (redirects are not followed) and a key set that is not one', async () => {
    const fake = await startUpstream((req, res) => {
      if (req.url === '/moved') {
        res.writeHead(302, { location: issuer.discoveryUrl });
        res.end();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ keys: 'none' }));
    });
    try {
      await assert.rejects(source({ discoveryUrl: `${fake.url}/moved` }).getKey({ alg: 'RS256' }, token), {
        message: `cannot get the discovery document ${fake.url}/moved: it answered 302`,
      });
      await assert.rejects(
        source({ jwksUrl: `${fake.url}/jwks`, discoveryUrl: undefined }).getKey({ alg: 'RS256' }, token),
        { code: 'ERR_JWT_KEYS_UNAVAILABLE', message: /JSON Web Key Set malformed/ },
      );
    } finally {
      await fake.close();
    }
  });
});
