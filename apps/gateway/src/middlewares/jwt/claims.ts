/**
 * What a `jwt` middleware does with a verified token's claims: checks the required values (API Management's
 * `required-claims`) and turns claims into request header values.
 */

import type { JWTPayload } from 'jose';
import type { JwtConfig } from '../../config/jwt-schema.ts';

/** The values a claim holds: each item of an array; a string whole and split on spaces (`scope`). */
export function claimValues(value: unknown): ReadonlySet<string> {
  if (typeof value === 'string') return new Set([value, ...value.split(' ').filter((part) => part !== '')]);
  if (typeof value === 'number' || typeof value === 'boolean') return new Set([String(value)]);
  if (Array.isArray(value)) {
    return new Set(
      value
        .filter((item) => typeof item === 'string' || typeof item === 'number' || typeof item === 'boolean')
        .map(String),
    );
  }
  return new Set();
}

/** A claim of the payload; only its own properties (a claim named `constructor` is not the prototype's). */
export function claimOf(payload: JWTPayload, claim: string): unknown {
  return Object.hasOwn(payload, claim) ? payload[claim] : undefined;
}

/** The first required claim the payload does not satisfy, or undefined when it satisfies them all. */
export function unmetClaim(payload: JWTPayload, required: JwtConfig['requiredClaims']): string | undefined {
  for (const [claim, rule] of Object.entries(required)) {
    const held = claimValues(claimOf(payload, claim));
    const met = rule.anyOf
      ? rule.anyOf.some((value) => held.has(value))
      : (rule.allOf ?? []).every((value) => held.has(value));
    if (!met) return claim;
  }
  return undefined;
}

// What a header value may hold here: visible ASCII, space and tab. CR and LF would split the header (request
// smuggling); other bytes are refused by Node or mangled by backends.
const headerSafe = /^[\t\x20-\x7e]*$/;

const scalar = new Set(['string', 'number', 'boolean']);

/** The outcome of turning a claim into a header value. */
export type HeaderValue =
  | { readonly ok: true; readonly value: string | undefined }
  | { readonly ok: false; readonly reason: string };

/**
 * A claim as a header value: strings as they are, numbers and booleans as text, arrays comma-joined, objects
 * as JSON. An absent (or null) claim gives no header. A value with characters a header cannot safely carry is
 * refused, never cleaned up.
 */
export function headerValue(value: unknown): HeaderValue {
  let text: string | undefined;
  if (value === undefined || value === null) text = undefined;
  else if (typeof value === 'string') text = value;
  else if (typeof value === 'number' || typeof value === 'boolean') text = String(value);
  else if (Array.isArray(value) && value.every((item) => scalar.has(typeof item))) {
    text = value.map((item) => String(item)).join(',');
  } else text = JSON.stringify(value);
  if (text !== undefined && !headerSafe.test(text)) {
    return { ok: false, reason: 'holds characters a header cannot carry' };
  }
  return { ok: true, value: text };
}
