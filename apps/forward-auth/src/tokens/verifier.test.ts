import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FastifyRequest } from 'fastify';
import { type TokenVerifier, verifyWithAny } from './verifier.ts';

const accepting = (name: string, token: string): TokenVerifier => ({
  name,
  verify: async (presented) =>
    presented === token ? { principal: `${name}-user`, claims: { sub: name } } : null,
});

// These verifiers never look at the request.
const request = {} as FastifyRequest;

describe('verifyWithAny', () => {
  const verifiers = [accepting('first', 'shared'), accepting('second', 'shared'), accepting('third', 'own')];

  it('returns the first acceptance, naming the verifier', async () => {
    assert.deepEqual(await verifyWithAny(verifiers, 'shared', request), {
      principal: 'first-user',
      claims: { sub: 'first' },
      verifier: 'first',
    });
    assert.equal((await verifyWithAny(verifiers, 'own', request))?.verifier, 'third');
  });

  it('returns null when no verifier accepts, or there are none', async () => {
    assert.equal(await verifyWithAny(verifiers, 'other', request), null);
    assert.equal(await verifyWithAny([], 'shared', request), null);
  });
});
