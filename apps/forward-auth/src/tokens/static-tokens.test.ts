import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  DEFAULT_STATIC_PRINCIPAL,
  parseStaticTokens,
  StaticTokenSpecError,
  StaticTokenVerifier,
} from './static-tokens.ts';

describe('parseStaticTokens', () => {
  it('is empty for an empty list', () => {
    assert.deepEqual(parseStaticTokens(''), []);
    assert.deepEqual(parseStaticTokens(' , '), []);
  });

  it('reads token and token:principal entries, trimming spaces', () => {
    assert.deepEqual(parseStaticTokens('foobar:demo, s3cr3t , abc.def-_~+/==:ci bot,'), [
      { token: 'foobar', principal: 'demo' },
      { token: 's3cr3t', principal: DEFAULT_STATIC_PRINCIPAL },
      { token: 'abc.def-_~+/==', principal: 'ci bot' },
    ]);
  });

  it('reports every bad entry by position without echoing the token', () => {
    assert.throws(
      () => parseStaticTokens('good,:nobody,bad token:x,ok:,good'),
      (err: unknown) => {
        assert.ok(err instanceof StaticTokenSpecError);
        assert.equal(err.code, 'ERR_STATIC_TOKENS');
        assert.equal(err.problems.length, 4);
        assert.match(err.problems[0]!, /^entry 2: token/);
        assert.match(err.problems[1]!, /^entry 3: token/);
        assert.match(err.problems[2]!, /^entry 4: principal/);
        assert.match(err.problems[3]!, /^entry 5: same token as entry 1/);
        assert.doesNotMatch(err.message, /bad token|good/);
        return true;
      },
    );
  });
});

describe('StaticTokenVerifier', () => {
  const verifier = new StaticTokenVerifier([
    { token: 'alpha', principal: 'alice' },
    { token: 'bravo', principal: 'bob' },
  ]);

  it('accepts configured tokens with their principal', async () => {
    assert.deepEqual(await verifier.verify('alpha'), { principal: 'alice' });
    assert.deepEqual(await verifier.verify('bravo'), { principal: 'bob' });
  });

  it('rejects anything else, including prefixes and different lengths', async () => {
    for (const token of ['alph', 'alphaa', 'ALPHA', '', 'x'.repeat(10_000)]) {
      assert.equal(await verifier.verify(token), null, token.slice(0, 10));
    }
  });

  it('accepts nothing when empty', async () => {
    assert.equal(await new StaticTokenVerifier([]).verify('alpha'), null);
  });
});
