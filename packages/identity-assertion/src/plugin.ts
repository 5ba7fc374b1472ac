import type { Service } from '@gateway-pattern/service-kit';
import type { FastifyRequest } from 'fastify';
import { ASSERTION_HEADER, IDENTITY_HEADERS, type IdentityAssertion } from './contract.ts';
import { InvalidAssertionError, MissingAssertionError } from './errors.ts';
import type { AssertionVerifier } from './verifier.ts';

/** How a route treats the assertion: `required` (the default) or `optional` (checked only when one is sent). */
export type AssertionMode = 'required' | 'optional';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** See {@link AssertionMode}; unset means `required`. */
    identityAssertion?: AssertionMode;
  }
  interface FastifyRequest {
    /** The verified assertion, or `null` (verification off, or an `optional` route reached without one). */
    identityAssertion: IdentityAssertion | null;
  }
}

const single = (value: string | string[] | undefined): string | undefined =>
  Array.isArray(value) ? value.join(', ') : value;

/**
 * The plain identity headers must say what the assertion says, when they are sent at all (a relay may send the
 * assertion alone). Otherwise a caller holding a valid assertion of its own could pair it with another user's name.
 */
function checkIdentityHeaders(request: FastifyRequest, assertion: IdentityAssertion): void {
  const expected: Record<string, string | undefined> = {
    [IDENTITY_HEADERS.user]: assertion.sub,
    [IDENTITY_HEADERS.email]: assertion.email,
    [IDENTITY_HEADERS.roles]: assertion.roles.length > 0 ? assertion.roles.join(',') : undefined,
    [IDENTITY_HEADERS.client]: assertion.client,
  };
  for (const [name, value] of Object.entries(expected)) {
    const sent = single(request.headers[name]);
    if (sent !== undefined && sent !== value) throw new InvalidAssertionError(`${name} does not match it`);
  }
}

/**
 * Makes every route of `app` require a valid identity assertion in `X-Auth-Assertion` (401 JSON `detail` without
 * one, 503 while the keys cannot be fetched), except routes whose config says `identityAssertion: 'optional'`:
 * those are served without one and still refuse an invalid one. Checked on `onRequest`, before the body is read.
 * Call it before registering routes; the verified assertion is `request.identityAssertion`.
 */
export function requireIdentityAssertions(app: Service, verifier: AssertionVerifier): void {
  app.decorateRequest('identityAssertion', null);
  app.addHook('onRequest', async (request) => {
    const token = single(request.headers[ASSERTION_HEADER]);
    if (token === undefined) {
      if (request.routeOptions.config.identityAssertion === 'optional') return;
      throw new MissingAssertionError();
    }
    const assertion = await verifier.verify(token);
    checkIdentityHeaders(request, assertion);
    request.identityAssertion = assertion;
    request.log.debug({ sub: assertion.sub, jti: assertion.jti }, 'identity assertion verified');
  });
}
