export { assertionVerifierOptions, IdentityAssertionEnv, type IdentityAssertionVars } from './config.ts';
export {
  ASSERTION_ALGORITHM,
  ASSERTION_HEADER,
  type AssertedIdentity,
  IDENTITY_HEADERS,
  type IdentityAssertion,
} from './contract.ts';
export { AssertionKeysUnavailableError, InvalidAssertionError, MissingAssertionError } from './errors.ts';
export { type AssertionMode, requireIdentityAssertions } from './plugin.ts';
export {
  AssertionKeyError,
  AssertionSigner,
  type AssertionSignerOptions,
  signingKeyFromPem,
} from './signer.ts';
export { AssertionVerifier, type AssertionVerifierOptions } from './verifier.ts';
