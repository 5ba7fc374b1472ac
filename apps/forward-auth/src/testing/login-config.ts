/**
 * A browser-login configuration for tests: forward-auth as the `forward-auth` client of `issuer`, a fixed cookie
 * key, the values `npm start` uses for the rest. Tests pass what they need different.
 */

import type { LoginConfig } from '../config.ts';

export function testLoginConfig(issuer: string, overrides: Partial<LoginConfig> = {}): LoginConfig {
  return {
    issuer,
    internalUrl: null,
    clientId: 'forward-auth',
    clientSecret: 'forward-auth-secret',
    scope: 'openid email profile roles',
    cookieKeys: [Buffer.alloc(32, 1)],
    sessionMaxAge: 3600,
    postLogoutRedirectUrl: 'http://localhost:8000/oauth2/signed_out',
    ...overrides,
  };
}
