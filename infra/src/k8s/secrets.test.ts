import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { parseDirectory } from '@gateway-pattern/identity/src/directory/load.ts';
import type { IMiddleware } from '@kubernetes-models/traefik/traefik.io/v1alpha1/Middleware';
import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { ISecret } from 'kubernetes-models/v1/Secret';
import { getObject, ofKind } from './objects.ts';
import { GATEWAY_DIR, REPO_ROOT } from './paths.ts';
import { containerEnv } from './pods.ts';
import { configReferences, missingReferences } from './references.ts';
import { rendered, SKIP_WITHOUT_KUBECTL } from './rendered.ts';

const DEMO_ANNOTATION = 'gateway-pattern/demo-credentials';

const decode = (value: string) => Buffer.from(value.replace(/\s/g, ''), 'base64').toString('utf8');

function secretFor(objects: ReturnType<typeof rendered>, middleware: string): ISecret {
  const name = getObject<IMiddleware>(objects, 'Middleware', middleware).spec.basicAuth?.secret ?? '';
  return getObject<ISecret>(objects, 'Secret', name);
}

describe('Secrets and ConfigMaps', { skip: SKIP_WITHOUT_KUBECTL }, () => {
  test('local: every ConfigMap and Secret referred to is generated, hash suffixes included', () => {
    const objects = rendered('local');
    assert.ok(
      configReferences(objects).some((r) => r.kind === 'Secret' && r.from === 'Middleware/bos-rf-auth'),
    );
    assert.deepEqual(missingReferences(objects), []);
  });

  test('local: the demo Secrets are the walkthrough’s credentials, and say they are demo ones', () => {
    const objects = rendered('local');
    const secrets = ofKind<ISecret>(objects, 'Secret');
    assert.equal(secrets.length, 5);
    for (const s of secrets)
      assert.equal(s.metadata?.annotations?.[DEMO_ANNOTATION], 'true', s.metadata?.name);

    const tokens = secrets.find((s) => s.metadata?.name?.startsWith('forward-auth-tokens-'));
    assert.equal(decode(tokens?.data?.STATIC_TOKENS ?? ''), 'foobar:demo');

    // Traefik takes the Secret's single key, and every non-empty line of it for a user: no comments allowed.
    const users = secretFor(objects, 'bos-rf-auth');
    const keys = Object.keys(users.data ?? {});
    assert.equal(keys.length, 1, 'exactly one key');
    const lines = decode(users.data?.[keys[0] ?? ''] ?? '')
      .split('\n')
      .filter((l) => l !== '');
    const gatewayUsers = readFileSync(join(GATEWAY_DIR, 'bos-rf.htpasswd'), 'utf8')
      .split('\n')
      .filter((l) => l.trim() !== '' && !l.startsWith('#'));
    assert.deepEqual(lines, gatewayUsers, 'the same users as infra/gateway/bos-rf.htpasswd');
    for (const line of lines) assert.match(line, /^[^:#\s]+:\$2[aby]\$\d\d\$/, 'user:bcrypt hash');
  });

  test("local: identity's directory is infra/identity's, and registers forward-auth's client with its secret", () => {
    const objects = rendered('local');
    const secret = (prefix: string) => {
      const found = ofKind<ISecret>(objects, 'Secret').find((s) =>
        s.metadata?.name?.startsWith(`${prefix}-`),
      );
      assert.ok(found, `Secret ${prefix}`);
      return Object.fromEntries(Object.entries(found.data ?? {}).map(([k, v]) => [k, decode(v)]));
    };
    const identity = secret('identity');
    const file = join(REPO_ROOT, 'infra', 'identity', 'identity.yml');
    assert.equal(
      identity['identity.yml'],
      readFileSync(file, 'utf8'),
      'a copy of infra/identity/identity.yml',
    );
    assert.ok((identity.COOKIE_KEYS ?? '').length >= 16, 'COOKIE_KEYS');

    // Rendered with identity's environment, as identity reads it.
    const envOf = (name: string) =>
      containerEnv(
        objects,
        getObject<IDeployment>(objects, 'Deployment', name).spec?.template.spec?.containers[0] as IContainer,
      );
    const directory = parseDirectory(file, identity['identity.yml'] ?? '', envOf('identity'));
    const forwardAuth = envOf('forward-auth');
    const client = directory.clients.get(forwardAuth.OIDC_CLIENT_ID ?? '');
    assert.ok(client, `client ${forwardAuth.OIDC_CLIENT_ID} is registered`);
    const login = secret('forward-auth-login');
    assert.equal(login.OIDC_CLIENT_SECRET, client.secret, 'OIDC_CLIENT_SECRET');
    assert.ok(client.redirectUris.includes(`${forwardAuth.PUBLIC_URL}/oauth2/callback`), 'the callback');
    assert.equal(Buffer.from(login.COOKIE_SECRET ?? '', 'base64').length, 32, 'COOKIE_SECRET: 32 bytes');
  });

  test('production: no credentials of its own; it expects yours (forward-auth-tokens optional)', () => {
    const objects = rendered('production');
    assert.deepEqual(ofKind<ISecret>(objects, 'Secret'), []);
    const missing = new Set(missingReferences(objects).map((r) => `${r.kind} ${r.name} ${r.optional}`));
    assert.deepEqual([...missing].sort(), [
      'Secret bos-rf-users false',
      'Secret forward-auth-assertion-key false',
      'Secret forward-auth-login false',
      'Secret forward-auth-tokens true',
      'Secret identity false',
    ]);
    const text = JSON.stringify(objects);
    for (const demo of ['foobar', 'forward-auth-secret', DEMO_ANNOTATION])
      assert.ok(!text.includes(demo), `no demo credential (${demo})`);
  });
});
