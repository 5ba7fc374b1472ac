import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import {
  ARTIFACT_FORMAT,
  ARTIFACT_VERSION,
  artifactData,
  checkFeatures,
  type ForestArtifact,
  parseArtifact,
  readArtifact,
  serializeArtifact,
  toArtifact,
  writeArtifact,
} from './artifact.ts';
import { BOSTON_FEATURES } from './boston.ts';
import { ArtifactError, type ArtifactErrorCode } from './errors.ts';
import { flattenForest } from './flatten.ts';
import { loadScoringModel } from './model.ts';
import { predictRows } from './predict.ts';
import { BOSTON_CSV, boston } from './testing.ts';
import { trainForest } from './train.ts';
import type { Tree } from './tree.ts';

const SHA = 'b9f88f3463a208dadd78546f0fb9ddacfa4897b4c92dd1b8269734f000fe377c';

function fresh(): ForestArtifact {
  return toArtifact(trainForest(boston(), { ntree: 4, seed: 21 }), artifactData(BOSTON_CSV, SHA, 506));
}

function refuses(
  mutate: (raw: Record<string, unknown>) => void,
  code: ArtifactErrorCode,
  message: RegExp,
): void {
  const raw = JSON.parse(serializeArtifact(fresh())) as Record<string, unknown>;
  mutate(raw);
  assert.throws(
    () => parseArtifact(JSON.stringify(raw), 'model.json'),
    (err: unknown) => err instanceof ArtifactError && err.code === code && message.test(err.message),
  );
}

describe('forest artifact', () => {
  const dir = mkdtemp(join(tmpdir(), 'forest-artifact-'));
  after(async () => rm(await dir, { recursive: true, force: true }));

  it('records format, version, features, target, options, data identity and summary', () => {
    const artifact = fresh();
    assert.equal(artifact.format, ARTIFACT_FORMAT);
    assert.equal(artifact.version, ARTIFACT_VERSION);
    assert.deepEqual(artifact.features, BOSTON_FEATURES);
    assert.equal(artifact.target, 'medv');
    assert.deepEqual(artifact.options, { ntree: 4, mtry: 4, nodeSize: 5, seed: 21 });
    assert.deepEqual(artifact.data, { file: 'boston.csv', sha256: SHA, rows: 506 });
    assert.equal(
      Object.keys(artifact).at(-1),
      'trees',
      'trees come last so the file starts with its summary',
    );
  });

  it('serialises the same forest to the same bytes', () => {
    assert.equal(serializeArtifact(fresh()), serializeArtifact(fresh()));
  });

  it('round-trips through a file with the same predictions', async () => {
    const artifact = fresh();
    const path = join(await dir, 'nested', 'model.json');
    await writeArtifact(path, artifact);
    const read = await readArtifact(path);
    assert.deepEqual(read, artifact);
    const data = boston();
    const before = new Float64Array(data.n);
    const afterRead = new Float64Array(data.n);
    predictRows(flattenForest(artifact.trees, data.p), data.x, data.n, before);
    predictRows((await loadScoringModel(path, BOSTON_FEATURES)).forest, data.x, data.n, afterRead);
    assert.deepEqual(afterRead, before);
    assert.equal(await readFile(path, 'utf8'), serializeArtifact(artifact));
  });

  it('refuses a missing or non-JSON file with a clear error', async () => {
    await assert.rejects(readArtifact(join(await dir, 'absent.json')), (err: unknown) => {
      return (
        err instanceof ArtifactError &&
        err.code === 'ARTIFACT_UNREADABLE' &&
        /absent\.json.*no such file/.test(err.message)
      );
    });
    const garbage = join(await dir, 'garbage.json');
    await writeFile(garbage, 'not json');
    await assert.rejects(
      readArtifact(garbage),
      (err: unknown) => err instanceof ArtifactError && err.code === 'ARTIFACT_NOT_JSON',
    );
  });

  it('refuses another format or version, naming what it reads', () => {
    refuses(
      (raw) => {
        raw.format = 'something-else';
      },
      'ARTIFACT_FORMAT',
      /not a random-forest artifact/,
    );
    refuses(
      (raw) => {
        raw.version = 2;
      },
      'ARTIFACT_VERSION',
      /version 2 is not supported \(this service reads version 1\)$/,
    );
    refuses(
      (raw) => {
        delete raw.version;
      },
      'ARTIFACT_VERSION',
      /version undefined/,
    );
  });

  it('refuses missing or malformed fields, naming the field', () => {
    refuses(
      (raw) => {
        delete raw.features;
      },
      'ARTIFACT_INVALID',
      /model\.json: features is missing/,
    );
    refuses(
      (raw) => {
        raw.features = ['a', 'a'];
      },
      'ARTIFACT_INVALID',
      /model\.json: features\[1\] repeats an earlier item; they must be distinct$/,
    );
    refuses(
      (raw) => {
        (raw.options as Record<string, unknown>).ntree = 'many';
      },
      'ARTIFACT_INVALID',
      /model\.json: options\.ntree must be an integer$/,
    );
    refuses(
      (raw) => {
        (raw.data as Record<string, unknown>).sha256 = 'abc';
      },
      'ARTIFACT_INVALID',
      /data\.sha256 must be 64 lowercase hex digits$/,
    );
    refuses(
      (raw) => {
        (raw.trees as unknown[]).pop();
      },
      'ARTIFACT_INVALID',
      /trees must be an array of options\.ntree \(4\) trees/,
    );
    refuses(
      (raw) => {
        ((raw.trees as Record<string, number[]>[])[1] as Record<string, number[]>).value?.pop();
      },
      'ARTIFACT_INVALID',
      /trees\[1\]\.value has (\d+) entries; it must have (?!\1)\d+, one per node$/,
    );
  });

  it('says what a field must be, down to one array item', () => {
    const cases: Array<[(raw: Record<string, unknown>) => void, RegExp]> = [
      [(raw) => delete (raw.options as Record<string, unknown>).seed, /: options\.seed is missing$/],
      [(raw) => ((raw.options as Record<string, unknown>).mtry = 0), /: options\.mtry must be ≥ 1$/],
      [(raw) => (raw.target = ''), /: target must not be empty$/],
      [(raw) => (raw.features = []), /: features must have at least 1 item$/],
      [(raw) => (raw.data = 'boston.csv'), /: data must be an object$/],
      [
        (raw) => (raw.summary as Record<string, unknown[]>).oobMseByTree?.splice(2, 1, 'NaN'),
        /: summary\.oobMseByTree\[2\] must be a number or null$/,
      ],
      [(raw) => (raw.trees as Tree[])[3]?.count.splice(5, 1, 0), /: trees\[3\]\.count\[5\] must be ≥ 1$/],
      [
        (raw) => (raw.trees as Tree[])[2]?.left.splice(1, 1, 1.5),
        /: trees\[2\]\.left\[1\] must be an integer$/,
      ],
    ];
    for (const [mutate, message] of cases) refuses(mutate, 'ARTIFACT_INVALID', message);
  });

  it('refuses trees that would index out of range or loop', () => {
    refuses(
      (raw) => {
        const tree = (raw.trees as Record<string, number[]>[])[0] as Record<string, number[]>;
        (tree.feature as number[])[0] = 13;
      },
      'ARTIFACT_INVALID',
      /trees\[0\]\.node 0 splits on feature 13/,
    );
    refuses(
      (raw) => {
        const tree = (raw.trees as Record<string, number[]>[])[0] as Record<string, number[]>;
        (tree.left as number[])[0] = 0;
      },
      'ARTIFACT_INVALID',
      /trees\[0\]\.node 0 has children 0 and/,
    );
    refuses(
      (raw) => {
        // Node 1 (the root's left child, interior on Boston) also claims node 2, the root's right child.
        const tree = (raw.trees as Record<string, number[]>[])[0] as Record<string, number[]>;
        assert.equal((tree.right as number[])[0], 2);
        assert.notEqual((tree.feature as number[])[1], -1);
        (tree.left as number[])[1] = 2;
      },
      'ARTIFACT_INVALID',
      /trees\[0\]\.node 2 has two parents/,
    );
    refuses(
      (raw) => {
        // The first leaf gets a left child (and still no right one).
        const tree = (raw.trees as Record<string, number[]>[])[0] as Record<string, number[]>;
        const leaf = (tree.feature as number[]).indexOf(-1);
        (tree.left as number[])[leaf] = leaf + 1;
      },
      'ARTIFACT_INVALID',
      /trees\[0\]\.node \d+ is a leaf but has children$/,
    );
    refuses(
      (raw) => {
        // The root made a leaf: every other node is still in the arrays, but nothing leads to them.
        const tree = (raw.trees as Record<string, number[]>[])[0] as Record<string, number[]>;
        for (const key of ['feature', 'left', 'right'] as const) (tree[key] as number[])[0] = -1;
      },
      'ARTIFACT_INVALID',
      /trees\[0\]\.node 1 is not reachable from the root$/,
    );
  });

  it('refuses a forest trained on other features', () => {
    const artifact = fresh();
    assert.doesNotThrow(() => checkFeatures(artifact, BOSTON_FEATURES));
    assert.throws(
      () => checkFeatures(artifact, [...BOSTON_FEATURES.slice(1), 'crim']),
      (err: unknown) =>
        err instanceof ArtifactError && err.code === 'ARTIFACT_FEATURES' && /expected \[zn/.test(err.message),
    );
  });
});
