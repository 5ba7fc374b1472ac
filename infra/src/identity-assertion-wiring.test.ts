import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  type AssertionWiring,
  type AuthRoute,
  assertionWiringProblems,
  verifierOf,
  type WiredBackend,
} from './identity-assertion-wiring.ts';

const JWKS = 'http://forward-auth:4181/.well-known/jwks.json';
const verifying = (audience: string, env: Record<string, string> = {}) =>
  verifierOf('pybackend-ts', {
    IDENTITY_ASSERTION_JWKS_URL: JWKS,
    IDENTITY_ASSERTION_ISSUER: 'forward-auth',
    IDENTITY_ASSERTION_AUDIENCE: audience,
    ...env,
  });

/** The shape of the real stacks: /pybackend relays to model-service, /rbackend reaches it directly. */
function wiring(
  changes: {
    backends?: Record<string, Partial<WiredBackend>>;
    routes?: Record<string, Partial<AuthRoute>>;
  } = {},
): AssertionWiring {
  const backends: Record<string, WiredBackend> = {
    'pybackend-ts': {
      verifier: verifying('pybackend-ts'),
      keysFrom: 'forward-auth',
      relaysTo: ['model-service'],
    },
    'model-service': { verifier: verifying('model-service'), keysFrom: 'forward-auth', relaysTo: [] },
    adder: { verifier: null, keysFrom: undefined, relaysTo: [] },
  };
  for (const [name, change] of Object.entries(changes.backends ?? {}))
    backends[name] = { ...(backends[name] as WiredBackend), ...change };
  const copies = ['X-Auth-User', 'X-Auth-Assertion'];
  const routes: Record<string, AuthRoute> = {
    pybackend: {
      name: 'pybackend',
      backend: 'pybackend-ts',
      address: 'http://forward-auth:4181/auth?aud=pybackend-ts&aud=model-service',
      signer: 'forward-auth',
      copies,
    },
    rbackend: {
      name: 'rbackend',
      backend: 'model-service',
      address: 'http://forward-auth:4181/auth?aud=model-service',
      signer: 'forward-auth',
      copies,
    },
    adder: {
      name: 'adder',
      backend: 'adder',
      address: 'http://adder-auth:4181/auth',
      signer: 'adder-auth',
      copies,
    },
  };
  for (const [name, change] of Object.entries(changes.routes ?? {}))
    routes[name] = { ...(routes[name] as AuthRoute), ...change };
  return {
    signers: { 'forward-auth': { issuer: 'forward-auth' }, 'adder-auth': { issuer: 'forward-auth' } },
    backends,
    routes: Object.values(routes),
  };
}

describe('assertionWiringProblems', () => {
  test('the stacks’ shape has none', () => {
    assert.deepEqual(assertionWiringProblems(wiring()), []);
  });

  test('a route whose aud leaves out the backend or the one it relays to', () => {
    assert.deepEqual(
      assertionWiringProblems(
        wiring({ routes: { pybackend: { address: 'http://forward-auth:4181/auth?aud=pybackend-ts' } } }),
      ),
      [
        'pybackend: http://forward-auth:4181/auth?aud=pybackend-ts names pybackend-ts; model-service (relayed by pybackend-ts) accepts model-service',
      ],
    );
    assert.deepEqual(
      assertionWiringProblems(wiring({ routes: { rbackend: { address: 'http://forward-auth:4181/auth' } } })),
      [
        'rbackend: model-service requires an assertion, but http://forward-auth:4181/auth asks for none (?aud=)',
      ],
    );
  });

  test('a backend pinned to another issuer, or fetching keys elsewhere than its routes ask', () => {
    const otherIssuer = verifying('model-service', { IDENTITY_ASSERTION_ISSUER: 'auth' });
    assert.deepEqual(
      assertionWiringProblems(wiring({ backends: { 'model-service': { verifier: otherIssuer } } })),
      ['model-service: IDENTITY_ASSERTION_ISSUER is auth, but forward-auth signs as forward-auth'],
    );
    assert.deepEqual(
      assertionWiringProblems(wiring({ backends: { 'model-service': { keysFrom: 'adder-auth' } } })),
      ['rbackend: asks forward-auth for the assertion, but model-service checks the keys of adder-auth'],
    );
  });

  test('a key set URL that reaches no forward-auth, or not its key set', () => {
    const wrongPath = verifying('model-service', {
      IDENTITY_ASSERTION_JWKS_URL: 'http://forward-auth:4181/jwks',
    });
    assert.deepEqual(
      assertionWiringProblems(
        wiring({ backends: { 'model-service': { verifier: wrongPath, keysFrom: undefined } } }),
      ),
      [
        "model-service: IDENTITY_ASSERTION_JWKS_URL http://forward-auth:4181/jwks is not forward-auth's key set (/.well-known/jwks.json)",
        'model-service: IDENTITY_ASSERTION_JWKS_URL http://forward-auth:4181/jwks reaches no forward-auth',
        'rbackend: asks forward-auth for the assertion, but model-service checks the keys of nothing',
      ],
    );
  });

  test('an assertion nobody receives: not copied, for a backend that does not check, or for no backend', () => {
    assert.deepEqual(assertionWiringProblems(wiring({ routes: { rbackend: { copies: ['X-Auth-User'] } } })), [
      'rbackend: authResponseHeaders lack X-Auth-Assertion, so model-service never gets it',
    ]);
    assert.deepEqual(
      assertionWiringProblems(
        wiring({ routes: { adder: { address: 'http://adder-auth:4181/auth?aud=adder' } } }),
      ),
      [
        'adder: asks for an assertion for adder, but adder does not check one',
        'aud=adder is the audience of no backend that checks assertions',
      ],
    );
  });

  test('a backend that checks assertions while no route asks for one addressed to it', () => {
    const problems = assertionWiringProblems(
      wiring({ backends: { adder: { verifier: verifying('adder'), keysFrom: 'forward-auth' } } }),
    );
    assert.deepEqual(problems, [
      'adder: adder requires an assertion, but http://adder-auth:4181/auth asks for none (?aud=)',
      'adder checks assertions, but no route asks for one addressed to it',
    ]);
  });
});
