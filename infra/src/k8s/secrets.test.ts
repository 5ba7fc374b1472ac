import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { IMiddleware } from '@kubernetes-models/traefik/traefik.io/v1alpha1/Middleware';
import type { ISecret } from 'kubernetes-models/v1/Secret';
import { getObject, ofKind } from './objects.ts';
import { GATEWAY_DIR } from './paths.ts';
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
    assert.equal(secrets.length, 2);
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

  test('production: no credentials of its own; it expects bos-rf-users and, optionally, forward-auth-tokens', () => {
    const objects = rendered('production');
    assert.deepEqual(ofKind<ISecret>(objects, 'Secret'), []);
    assert.deepEqual(
      missingReferences(objects).map((r) => [r.kind, r.name, r.optional]),
      [
        ['Secret', 'forward-auth-tokens', true],
        ['Secret', 'bos-rf-users', false],
      ],
    );
    const text = JSON.stringify(objects);
    assert.ok(!text.includes('foobar') && !text.includes(DEMO_ANNOTATION), 'no demo credential');
  });
});
