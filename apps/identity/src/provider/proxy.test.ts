import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { startIdentity } from '../test-support.ts';

const FORWARDED = { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'id.example.com' };

async function discovery(url: string): Promise<Record<string, string>> {
  const res = await fetch(`${url}/.well-known/openid-configuration`, { headers: FORWARDED });
  return (await res.json()) as Record<string, string>;
}

describe('behind a proxy', () => {
  it('ignores X-Forwarded-* by default: endpoints stay on the address called', async () => {
    const identity = await startIdentity();
    try {
      const doc = await discovery(identity.url);
      assert.equal(doc.issuer, identity.url);
      assert.equal(doc.token_endpoint, `${identity.url}/token`);
    } finally {
      await identity.close();
    }
  });

  it('with TRUST_PROXY, builds endpoint URLs from X-Forwarded-Proto and -Host; the issuer never moves', async () => {
    const identity = await startIdentity({ trustProxy: true });
    try {
      const doc = await discovery(identity.url);
      assert.equal(doc.issuer, identity.url);
      assert.equal(doc.token_endpoint, 'https://id.example.com/token');
      assert.equal(doc.jwks_uri, 'https://id.example.com/jwks');
      assert.equal(doc.authorization_endpoint, 'https://id.example.com/auth');
    } finally {
      await identity.close();
    }
  });
});
