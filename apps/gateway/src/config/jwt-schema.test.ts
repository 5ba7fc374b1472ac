import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { renderTemplate } from '@gateway-pattern/go-template';
import { parse } from 'yaml';
import { validateMiddleware } from './dynamic-schema.ts';

const path = 'middlewares.adder-jwt';
const base = { issuer: 'http://localhost:4444', audiences: ['api://adder'] };
const errorsOf = (options: Record<string, unknown>) => {
  const result = validateMiddleware({ plugin: { jwt: options } }, path);
  return result.ok ? [] : result.errors;
};

describe('jwt plugin options', () => {
  it('fills the defaults and keeps the canonical field names (matched case-insensitively)', () => {
    const result = validateMiddleware(
      { Plugin: { jwt: { Issuer: base.issuer, AUDIENCES: 'api://adder' } } },
      path,
    );
    assert.ok(result.ok);
    assert.deepEqual(result.value, {
      type: 'jwt',
      plugin: true,
      options: {
        issuer: 'http://localhost:4444',
        audiences: ['api://adder'],
        algorithms: ['RS256'],
        requiredClaims: {},
        clockTolerance: 0,
        claimHeaders: {},
        forwardAuthorization: true,
        jwksTimeout: 5_000,
        cooldown: 30_000,
        cacheMaxAge: 600_000,
      },
    });
  });

  it('reads Go durations and the seed’s options', () => {
    const result = validateMiddleware(
      {
        plugin: {
          jwt: {
            ...base,
            jwksUrl: 'http://identity:4444/jwks',
            algorithms: ['RS256', 'ES256'],
            requiredClaims: { roles: { anyOf: ['invokeRole'] }, scope: { allOf: ['add', 'read'] } },
            clockTolerance: '1m30s',
            claimHeaders: { client: 'azp' },
            forwardAuthorization: 'false',
            cooldown: '500ms',
            typ: 'at+jwt',
          },
        },
      },
      path,
    );
    assert.ok(result.ok);
    const options = result.value.type === 'jwt' ? result.value.options : undefined;
    assert.equal(options?.clockTolerance, 90_000);
    assert.equal(options?.cooldown, 500);
    assert.equal(options?.forwardAuthorization, false);
    assert.deepEqual(options?.requiredClaims.roles, { anyOf: ['invokeRole'] });
  });

  it('refuses none and symmetric algorithms, and unknown ones', () => {
    assert.deepEqual(errorsOf({ ...base, algorithms: ['none'] }), [
      `${path}.plugin.jwt.algorithms[0]: "none" is never accepted: tokens must be signed`,
    ]);
    assert.match(
      errorsOf({ ...base, algorithms: ['RS256', 'HS256'] }).join(),
      /algorithms\[1\]: HS256 is refused/,
    );
    assert.match(errorsOf({ ...base, algorithms: ['RS257'] }).join(), /unknown algorithm "RS257"/);
  });

  it('refuses unknown fields, missing issuer or audiences, and bad values, naming each field', () => {
    assert.deepEqual(errorsOf({ ...base, audience: 'api://adder' }), [
      `${path}.plugin.jwt.audience: unknown field`,
    ]);
    assert.deepEqual(errorsOf({}), [
      `${path}.plugin.jwt.issuer: is required`,
      `${path}.plugin.jwt.audiences: is required`,
    ]);
    assert.deepEqual(errorsOf({ ...base, audiences: [] }), [
      `${path}.plugin.jwt.audiences: needs at least one audience`,
    ]);
    assert.deepEqual(errorsOf({ ...base, clockTolerance: 'soon' }), [
      `${path}.plugin.jwt.clockTolerance: expected a duration such as "5s" or "200ms", got string "soon"`,
    ]);
    assert.deepEqual(errorsOf({ ...base, jwksUrl: 'ftp://x/jwks' }), [
      `${path}.plugin.jwt.jwksUrl: unsupported scheme ftp:`,
    ]);
    assert.deepEqual(errorsOf({ ...base, realm: 'a"b' }), [
      `${path}.plugin.jwt.realm: may only hold printable ASCII characters other than " and \\`,
    ]);
  });

  it('needs a URL issuer unless the keys are located otherwise, and one way to locate them', () => {
    assert.deepEqual(errorsOf({ ...base, issuer: 'adder-issuer' }), [
      `${path}.plugin.jwt: issuer "adder-issuer" is not an http(s) URL, so give discoveryUrl or jwksUrl`,
    ]);
    assert.deepEqual(errorsOf({ ...base, issuer: 'adder-issuer', jwksUrl: 'http://idp/jwks' }), []);
    assert.deepEqual(
      errorsOf({
        ...base,
        discoveryUrl: 'http://idp/.well-known/openid-configuration',
        jwksUrl: 'http://idp/jwks',
      }),
      [`${path}.plugin.jwt: give discoveryUrl or jwksUrl, not both`],
    );
  });

  it('checks required claims: exactly one of anyOf or allOf, with values', () => {
    assert.deepEqual(errorsOf({ ...base, requiredClaims: { roles: { anyOf: ['a'], allOf: ['b'] } } }), [
      `${path}.plugin.jwt.requiredClaims.roles: give exactly one of anyOf or allOf`,
    ]);
    assert.deepEqual(errorsOf({ ...base, requiredClaims: { roles: {} } }), [
      `${path}.plugin.jwt.requiredClaims.roles: give exactly one of anyOf or allOf`,
    ]);
    assert.deepEqual(errorsOf({ ...base, requiredClaims: { roles: { anyOf: [] } } }), [
      `${path}.plugin.jwt.requiredClaims.roles: needs at least one value`,
    ]);
    assert.deepEqual(errorsOf({ ...base, requiredClaims: { roles: ['invokeRole'] } }), [
      `${path}.plugin.jwt.requiredClaims.roles: expected a map, got a list`,
    ]);
  });

  it('checks claim headers: valid names, none the proxy owns, none twice', () => {
    assert.deepEqual(errorsOf({ ...base, claimHeaders: { 'bad header': 'azp' } }), [
      `${path}.plugin.jwt.claimHeaders: "bad header" is not a valid header name`,
    ]);
    for (const owned of ['Authorization', 'Host', 'Content-Length', 'Connection', 'Transfer-Encoding']) {
      assert.deepEqual(errorsOf({ ...base, claimHeaders: { [owned]: 'azp' } }), [
        `${path}.plugin.jwt.claimHeaders: "${owned}" cannot be set from a claim`,
      ]);
    }
    assert.deepEqual(errorsOf({ ...base, claimHeaders: { client: 'azp', Client: 'sub' } }), [
      `${path}.plugin.jwt.claimHeaders: "Client" is given twice (header names are case-insensitive)`,
    ]);
  });

  it('takes exactly one plugin, and only one this gateway has', () => {
    const errors = (raw: unknown) => {
      const result = validateMiddleware(raw, path);
      return result.ok ? [] : result.errors;
    };
    assert.deepEqual(errors({ plugin: { rewrite: {} } }), [
      `${path}.plugin: unknown plugin "rewrite" (this gateway has: jwt, cachedForwardAuth)`,
    ]);
    assert.deepEqual(errors({ plugin: { jwt: base, other: {} } }), [
      `${path}.plugin: a plugin middleware needs exactly one plugin, got 2 (jwt, other)`,
    ]);
    assert.deepEqual(errors({ plugin: 'jwt' }), [`${path}.plugin: expected a map`]);
    assert.deepEqual(errors({ jwt: base }), [`${path}: unknown middleware type "jwt"`]);
  });

  it('infra/gateway/examples/jwt.yml renders and validates', () => {
    const file = new URL('../../../../infra/gateway/examples/jwt.yml', import.meta.url);
    const text = renderTemplate(readFileSync(file, 'utf8'), { name: 'jwt.yml', env: {} });
    const document = parse(text) as { http: { middlewares: Record<string, unknown> } };
    const names = Object.keys(document.http.middlewares);
    assert.ok(names.length > 0);
    for (const name of names) {
      const result = validateMiddleware(document.http.middlewares[name], `middlewares.${name}`);
      assert.deepEqual(result.ok ? [] : result.errors, [], name);
    }
  });
});
