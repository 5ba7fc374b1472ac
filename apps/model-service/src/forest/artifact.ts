import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { ArtifactError } from './errors.ts';
import type { ForestOptions, TrainedForest, TrainingSummary } from './train.ts';
import { LEAF, type Tree } from './tree.ts';

/** The `format` field of every forest artifact, so an unrelated JSON file is refused by name. */
export const ARTIFACT_FORMAT = 'gateway-pattern/random-forest-regression';

/** The artifact layout this code writes and reads. Bump it when the layout changes; old files are then refused. */
export const ARTIFACT_VERSION = 1;

/** Where the training data came from. */
export interface ArtifactData {
  /** The data file's name (not its path, so artifacts do not depend on the machine that trained them). */
  file: string;
  /** Hex sha256 of the data file's bytes. */
  sha256: string;
  rows: number;
}

/**
 * A trained forest on disk (the role of the walkthrough's `saveRDS` file): versioned JSON with everything needed
 * to predict and to describe the model. Trees come last so the head of the file reads as a summary.
 */
export interface ForestArtifact {
  format: typeof ARTIFACT_FORMAT;
  version: typeof ARTIFACT_VERSION;
  features: string[];
  target: string;
  options: ForestOptions;
  data: ArtifactData;
  summary: TrainingSummary;
  trees: Tree[];
}

/** Packs a trained forest and its data's identity into an artifact. */
export function toArtifact(forest: TrainedForest, data: ArtifactData): ForestArtifact {
  return {
    format: ARTIFACT_FORMAT,
    version: ARTIFACT_VERSION,
    features: forest.features,
    target: forest.target,
    options: forest.options,
    data,
    summary: forest.summary,
    trees: forest.trees,
  };
}

/** The artifact as JSON text. Deterministic: the same forest always serialises to the same bytes. */
export function serializeArtifact(artifact: ForestArtifact): string {
  return `${JSON.stringify(artifact)}\n`;
}

/** Writes the artifact, creating its directory; written to a temporary file and renamed, so a reader never sees half. */
export async function writeArtifact(path: string, artifact: ForestArtifact): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const partial = `${path}.${process.pid}.tmp`;
  await writeFile(partial, serializeArtifact(artifact));
  await rename(partial, path);
}

/** Reads and validates an artifact file; throws {@link ArtifactError} saying what is wrong with it. */
export async function readArtifact(path: string): Promise<ForestArtifact> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    const reason = (cause as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : String(cause);
    throw new ArtifactError('ARTIFACT_UNREADABLE', `${path}: cannot read the model artifact (${reason})`, {
      cause,
    });
  }
  return parseArtifact(text, path);
}

/**
 * Throws {@link ArtifactError} `ARTIFACT_FEATURES` unless the artifact was trained on exactly `expected`, in that
 * order: a forest trained on other columns would answer, wrongly, rather than fail.
 */
export function checkFeatures(
  artifact: ForestArtifact,
  expected: readonly string[],
  source = 'artifact',
): void {
  const got = artifact.features;
  if (got.length === expected.length && got.every((name, i) => name === expected[i])) return;
  throw new ArtifactError(
    'ARTIFACT_FEATURES',
    `${source}: the model was trained on features [${got.join(', ')}], expected [${expected.join(', ')}]`,
  );
}

type Json = unknown;

function invalid(source: string, where: string, message: string): ArtifactError {
  return new ArtifactError('ARTIFACT_INVALID', `${source}: ${where} ${message}`);
}

function isObject(value: Json): value is Record<string, Json> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function field(source: string, parent: Record<string, Json>, key: string, where: string): Json {
  if (!(key in parent)) throw invalid(source, `${where}${key}`, 'is missing');
  return parent[key];
}

function objectAt(
  source: string,
  parent: Record<string, Json>,
  key: string,
  where = '',
): Record<string, Json> {
  const value = field(source, parent, key, where);
  if (!isObject(value)) throw invalid(source, `${where}${key}`, 'must be an object');
  return value;
}

function numberAt(source: string, parent: Record<string, Json>, key: string, where: string): number {
  const value = field(source, parent, key, where);
  if (typeof value !== 'number') throw invalid(source, `${where}${key}`, 'must be a number');
  return value;
}

function integerAt(
  source: string,
  parent: Record<string, Json>,
  key: string,
  where: string,
  min: number,
): number {
  const value = numberAt(source, parent, key, where);
  if (!Number.isInteger(value) || value < min)
    throw invalid(source, `${where}${key}`, `must be an integer ≥ ${min}`);
  return value;
}

function stringAt(source: string, parent: Record<string, Json>, key: string, where = ''): string {
  const value = field(source, parent, key, where);
  if (typeof value !== 'string' || value === '')
    throw invalid(source, `${where}${key}`, 'must be a non-empty string');
  return value;
}

function numbersAt(
  source: string,
  parent: Record<string, Json>,
  key: string,
  where: string,
  length: number,
): number[] {
  const value = field(source, parent, key, where);
  if (!Array.isArray(value) || value.length !== length || !value.every((v) => typeof v === 'number')) {
    throw invalid(source, `${where}${key}`, `must be an array of ${length} numbers`);
  }
  return value as number[];
}

function validateTree(source: string, value: Json, t: number, featureCount: number): Tree {
  const where = `trees[${t}].`;
  if (!isObject(value)) throw invalid(source, `trees[${t}]`, 'must be an object');
  const size = field(source, value, 'feature', where);
  if (!Array.isArray(size) || size.length === 0)
    throw invalid(source, `${where}feature`, 'must be a non-empty array');
  const n = size.length;
  const tree: Tree = {
    feature: numbersAt(source, value, 'feature', where, n),
    threshold: numbersAt(source, value, 'threshold', where, n),
    left: numbersAt(source, value, 'left', where, n),
    right: numbersAt(source, value, 'right', where, n),
    value: numbersAt(source, value, 'value', where, n),
    count: numbersAt(source, value, 'count', where, n),
  };
  const parents = new Uint8Array(n);
  for (let k = 0; k < n; k++) {
    const f = tree.feature[k] as number;
    const l = tree.left[k] as number;
    const r = tree.right[k] as number;
    const node = `${where}node ${k}`;
    if (!Number.isInteger(tree.count[k]) || (tree.count[k] as number) < 1) {
      throw invalid(source, node, 'count must be a positive integer');
    }
    if (f === LEAF) {
      if (l !== LEAF || r !== LEAF) throw invalid(source, node, 'is a leaf but has children');
      continue;
    }
    if (!Number.isInteger(f) || f < 0 || f >= featureCount) {
      throw invalid(source, node, `splits on feature ${f}, not one of the ${featureCount} features`);
    }
    // Children after their parent: every walk moves forward, so a corrupt file cannot make predict loop forever.
    if (!Number.isInteger(l) || !Number.isInteger(r) || l <= k || r <= k || l >= n || r >= n) {
      throw invalid(source, node, `has children ${l} and ${r}; they must be nodes after it in the same tree`);
    }
    for (const child of [l, r]) {
      if (parents[child] !== 0) throw invalid(source, `${where}node ${child}`, 'has two parents');
      parents[child] = 1;
    }
  }
  // Every node but the root has exactly one parent: a tree, so flattening copies each node once.
  const orphan = parents.indexOf(0, 1);
  if (orphan > 0) throw invalid(source, `${where}node ${orphan}`, 'is not reachable from the root');
  return tree;
}

/**
 * Parses and validates artifact JSON: format name, version, features, options, summary, and every tree's
 * structure (array lengths, feature indices in range, children after their parent). `source` names the file in
 * error messages.
 */
export function parseArtifact(text: string, source = 'artifact'): ForestArtifact {
  let root: Json;
  try {
    root = JSON.parse(text);
  } catch (cause) {
    throw new ArtifactError('ARTIFACT_NOT_JSON', `${source}: not JSON (${(cause as Error).message})`, {
      cause,
    });
  }
  if (!isObject(root) || root.format !== ARTIFACT_FORMAT) {
    throw new ArtifactError(
      'ARTIFACT_FORMAT',
      `${source}: not a random-forest artifact (format must be '${ARTIFACT_FORMAT}')`,
    );
  }
  if (root.version !== ARTIFACT_VERSION) {
    throw new ArtifactError(
      'ARTIFACT_VERSION',
      `${source}: artifact version ${JSON.stringify(root.version)} is not supported (this service reads version ${ARTIFACT_VERSION})`,
    );
  }
  const features = field(source, root, 'features', '');
  if (
    !Array.isArray(features) ||
    features.length === 0 ||
    !features.every((f) => typeof f === 'string' && f !== '') ||
    new Set(features).size !== features.length
  ) {
    throw invalid(source, 'features', 'must be a non-empty array of distinct column names');
  }
  const p = features.length;
  const target = stringAt(source, root, 'target');

  const rawOptions = objectAt(source, root, 'options');
  const options: ForestOptions = {
    ntree: integerAt(source, rawOptions, 'ntree', 'options.', 1),
    mtry: integerAt(source, rawOptions, 'mtry', 'options.', 1),
    nodeSize: integerAt(source, rawOptions, 'nodeSize', 'options.', 1),
    seed: integerAt(source, rawOptions, 'seed', 'options.', 0),
  };

  const rawData = objectAt(source, root, 'data');
  const data: ArtifactData = {
    file: stringAt(source, rawData, 'file', 'data.'),
    sha256: stringAt(source, rawData, 'sha256', 'data.'),
    rows: integerAt(source, rawData, 'rows', 'data.', 1),
  };
  if (!/^[0-9a-f]{64}$/.test(data.sha256)) throw invalid(source, 'data.sha256', 'must be 64 hex digits');

  const rawSummary = objectAt(source, root, 'summary');
  const byTree = field(source, rawSummary, 'oobMseByTree', 'summary.');
  if (!Array.isArray(byTree) || !byTree.every((v) => v === null || typeof v === 'number')) {
    throw invalid(source, 'summary.oobMseByTree', 'must be an array of numbers or nulls');
  }
  const summary: TrainingSummary = {
    rows: integerAt(source, rawSummary, 'rows', 'summary.', 1),
    oobRows: integerAt(source, rawSummary, 'oobRows', 'summary.', 0),
    targetVariance: numberAt(source, rawSummary, 'targetVariance', 'summary.'),
    oobMse: numberAt(source, rawSummary, 'oobMse', 'summary.'),
    percentVarianceExplained: numberAt(source, rawSummary, 'percentVarianceExplained', 'summary.'),
    oobMseByTree: byTree as (number | null)[],
  };

  const rawTrees = field(source, root, 'trees', '');
  if (!Array.isArray(rawTrees) || rawTrees.length !== options.ntree) {
    throw invalid(source, 'trees', `must be an array of options.ntree (${options.ntree}) trees`);
  }
  const trees = rawTrees.map((tree, t) => validateTree(source, tree, t, p));
  return {
    format: ARTIFACT_FORMAT,
    version: ARTIFACT_VERSION,
    features: features as string[],
    target,
    options,
    data,
    summary,
    trees,
  };
}

/** The data-file fields of an artifact, from the path the data was read from and its hash. */
export function artifactData(path: string, sha256: string, rows: number): ArtifactData {
  return { file: basename(path), sha256, rows };
}
