import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { type RunningIdentity, startIdentity, temporaryKeysDir } from '../test-support.ts';
import { JWKS_FILE, promoteKey, stageKey } from './keystore.ts';

let keysDir: string;
let removeKeys: () => Promise<void>;
before(async () => {
  ({ dir: keysDir, remove: removeKeys } = await temporaryKeysDir());
});
after(() => removeKeys());

async function publishedKids(identity: RunningIdentity): Promise<string[]> {
  const { keys } = (await (await fetch(`${identity.url}/jwks`)).json()) as { keys: { kid: string }[] };
  return keys.map((key) => key.kid);
}

async function issue(identity: RunningIdentity): Promise<string> {
  const res = await fetch(`${identity.url}/token`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `Basic ${Buffer.from('adder-cli:adder-cli-secret').toString('base64')}`,
    },
    body: 'grant_type=client_credentials&resource=api%3A%2F%2Fadder',
  });
  assert.equal(res.status, 200);
  return ((await res.json()) as { access_token: string }).access_token;
}

/** Runs `check` against a server started on the keys directory, then stops it (a restart of the provider). */
async function withServer<T>(check: (identity: RunningIdentity) => Promise<T>): Promise<T> {
  const identity = await startIdentity({ keysDir });
  try {
    return await check(identity);
  } finally {
    await identity.close();
  }
}

/** Whether the signature checks against this server's JWKS (each restart has another port, so not the issuer). */
async function verifiesAt(identity: RunningIdentity, token: string): Promise<boolean> {
  const jwks = createRemoteJWKSet(new URL(`${identity.url}/jwks`));
  try {
    await jwtVerify(token, jwks, { audience: 'api://adder', algorithms: ['RS256'] });
    return true;
  } catch {
    return false;
  }
}

describe('signing keys across restarts', () => {
  it('keeps its key: the same kid signs after a restart', async () => {
    const [kidBefore] = await withServer(publishedKids);
    const [kidAfter, ...others] = await withServer(publishedKids);
    assert.equal(kidAfter, kidBefore);
    assert.deepEqual(others, []);
    const token = await withServer(issue);
    assert.equal(decodeProtectedHeader(token).kid, kidBefore);
  });

  it('rotates: a staged key is published before it signs, a promoted one signs, the old one stays published', async () => {
    const [oldKid] = await withServer(publishedKids);

    const { staged } = await stageKey(keysDir);
    await withServer(async (identity) => {
      assert.deepEqual(await publishedKids(identity), [oldKid, staged.kid]);
      assert.equal(decodeProtectedHeader(await issue(identity)).kid, oldKid);
    });

    const oldToken = await withServer(issue);
    await promoteKey(keysDir);
    await withServer(async (identity) => {
      assert.deepEqual((await publishedKids(identity)).sort(), [oldKid, staged.kid].sort());
      const token = await issue(identity);
      assert.equal(decodeProtectedHeader(token).kid, staged.kid);
      assert.equal(await verifiesAt(identity, token), true);
      // Issued before the promotion, still verifiable after it.
      assert.equal(await verifiesAt(identity, oldToken), true);
    });
  });
});

/** Polls until `check` holds (the watcher applies a change within milliseconds; give it a few seconds). */
async function eventually(check: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('signing keys while running', () => {
  it('applies each rotation step written to the keys directory without a restart', async () => {
    const identity = await startIdentity({ watchKeys: true });
    try {
      const [oldKid] = await publishedKids(identity);
      const { staged } = await stageKey(identity.keysDir);
      await eventually(
        async () => (await publishedKids(identity)).length === 2,
        'the staged key to be published',
      );
      assert.deepEqual(await publishedKids(identity), [oldKid, staged.kid]);
      assert.equal(decodeProtectedHeader(await issue(identity)).kid, oldKid);

      const oldToken = await issue(identity);
      await promoteKey(identity.keysDir);
      await eventually(
        async () => decodeProtectedHeader(await issue(identity)).kid === staged.kid,
        'the promoted key to sign',
      );
      assert.equal(await verifiesAt(identity, oldToken), true);
    } finally {
      await identity.close();
    }
  });

  it('keeps the current keys when the file is broken', async () => {
    const identity = await startIdentity({ watchKeys: true });
    try {
      const before = await publishedKids(identity);
      await writeFile(join(identity.keysDir, JWKS_FILE), '{ broken');
      await new Promise((resolve) => setTimeout(resolve, 200));
      assert.deepEqual(await publishedKids(identity), before);
      assert.equal(decodeProtectedHeader(await issue(identity)).kid, before[0]);
    } finally {
      await identity.close();
    }
  });
});
