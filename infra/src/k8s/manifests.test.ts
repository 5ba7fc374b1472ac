import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { objectId } from './objects.ts';
import { APP_NAMESPACE, OVERLAYS } from './paths.ts';
import { rendered, SKIP_WITHOUT_KUBECTL } from './rendered.ts';
import { schemaProblems } from './strict-schema.ts';

describe('kubectl kustomize renders every overlay into valid objects', { skip: SKIP_WITHOUT_KUBECTL }, () => {
  for (const overlay of OVERLAYS) {
    test(`${overlay}: every object validates against its schema, unknown fields refused`, (t) => {
      const objects = rendered(overlay);
      assert.deepEqual(objects.flatMap(schemaProblems), []);
      const kinds = new Map<string, number>();
      for (const o of objects) kinds.set(o.kind, (kinds.get(o.kind) ?? 0) + 1);
      t.diagnostic(
        `${overlay}: ${objects.length} objects valid (${[...kinds].map(([k, n]) => `${n} ${k}`).join(', ')})`,
      );
    });

    test(`${overlay}: everything lives in ${APP_NAMESPACE}, each name once per kind`, () => {
      const objects = rendered(overlay);
      for (const o of objects) {
        if (o.kind === 'Namespace') assert.equal(o.metadata.name, APP_NAMESPACE);
        else assert.equal(o.metadata.namespace, APP_NAMESPACE, objectId(o));
      }
      const ids = objects.map(objectId);
      assert.deepEqual(
        ids.filter((id, i) => ids.indexOf(id) !== i),
        [],
      );
    });
  }

  test('the base alone renders too, and holds no Secret (credentials come from an overlay or from you)', () => {
    const base = rendered('base');
    assert.deepEqual(base.flatMap(schemaProblems), []);
    assert.deepEqual(base.filter((o) => o.kind === 'Secret').map(objectId), []);
  });
});
