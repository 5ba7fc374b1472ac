import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { Type } from 'typebox';
import { Compile } from 'typebox/compile';
import type { TLocalizedValidationError, TTypeError } from 'typebox/error';
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

/** A feature or child index, or {@link LEAF} (-1) at leaves; {@link checkTree} checks it points somewhere. */
const IndexOrLeaf = Type.Integer({ minimum: LEAF });

/** A tree's shape; that its arrays agree and its indices point inside it is checked by {@link checkTree}. */
const TreeSchema = Type.Object({
  feature: Type.Array(IndexOrLeaf, { minItems: 1 }),
  threshold: Type.Array(Type.Number()),
  left: Type.Array(IndexOrLeaf),
  right: Type.Array(IndexOrLeaf),
  value: Type.Array(Type.Number()),
  count: Type.Array(Type.Integer({ minimum: 1 })),
});

const SHA256_HEX = '^[0-9a-f]{64}$';

/**
 * Everything after `format` and `version` (checked first, so a foreign or newer file gets its own error). What a
 * schema cannot say, such as array lengths agreeing or node indices in range, {@link parseArtifact} checks after.
 */
const ArtifactSchema = Type.Object({
  features: Type.Array(Type.String({ minLength: 1 }), { minItems: 1, uniqueItems: true }),
  target: Type.String({ minLength: 1 }),
  options: Type.Object({
    ntree: Type.Integer({ minimum: 1 }),
    mtry: Type.Integer({ minimum: 1 }),
    nodeSize: Type.Integer({ minimum: 1 }),
    seed: Type.Integer({ minimum: 0 }),
  }),
  data: Type.Object({
    file: Type.String({ minLength: 1 }),
    sha256: Type.String({ pattern: SHA256_HEX }),
    rows: Type.Integer({ minimum: 1 }),
  }),
  summary: Type.Object({
    rows: Type.Integer({ minimum: 1 }),
    oobRows: Type.Integer({ minimum: 0 }),
    targetVariance: Type.Number(),
    oobMse: Type.Number(),
    percentVarianceExplained: Type.Number(),
    oobMseByTree: Type.Array(Type.Union([Type.Number(), Type.Null()])),
  }),
  trees: Type.Array(TreeSchema),
});

// Compiled once: a 100-tree artifact holds some 300,000 numbers to check at every start.
const artifactValidator = Compile(ArtifactSchema);

/** What a pattern means, for messages; a bare regular expression tells an operator little. */
const PATTERN_MEANING: Readonly<Record<string, string>> = { [SHA256_HEX]: '64 lowercase hex digits' };

const TYPE_NAMES: Readonly<Record<string, string>> = {
  array: 'an array',
  integer: 'an integer',
  null: 'null',
  number: 'a number',
  object: 'an object',
  string: 'a string',
};

/** `/trees/0/value` → `trees[0].value`, the way the fields read in JavaScript. */
function fieldPath(pointer: string): string {
  let path = '';
  for (const segment of pointer.split('/').slice(1)) {
    const key = segment.replaceAll('~1', '/').replaceAll('~0', '~');
    path += /^\d+$/.test(key) ? `[${key}]` : path === '' ? key : `.${key}`;
  }
  return path;
}

/** One sentence for the first problem the schema found: the field's path and what it must be. */
function describeSchemaError(errors: readonly TLocalizedValidationError[]): string {
  const first = errors[0] as TLocalizedValidationError;
  const where = fieldPath(first.instancePath);
  const at = (field: string) => (where === '' ? field : `${where}.${field}`);
  switch (first.keyword) {
    case 'required':
      return `${at(first.params.requiredProperties[0] ?? '?')} is missing`;
    case 'type': {
      // A union (number or null) reports one error per branch, then its own.
      const types = errors
        .filter((e) => e.keyword === 'type' && e.instancePath === first.instancePath)
        .map(
          (e) => TYPE_NAMES[(e as TTypeError).params.type as string] ?? String((e as TTypeError).params.type),
        );
      return `${where} must be ${types.join(' or ')}`;
    }
    case 'minimum':
      return `${where} must be ≥ ${first.params.limit}`;
    case 'minLength':
      return `${where} must not be empty`;
    case 'minItems':
      return `${where} must have at least ${first.params.limit} item${first.params.limit === 1 ? '' : 's'}`;
    case 'uniqueItems':
      return `${where}[${first.params.duplicateItems[0]}] repeats an earlier item; they must be distinct`;
    case 'pattern': {
      const { pattern } = first.params;
      const source = typeof pattern === 'string' ? pattern : pattern.source;
      return `${where} must be ${PATTERN_MEANING[source] ?? `a match of /${source}/`}`;
    }
    default:
      return `${where} ${first.message}`;
  }
}

function invalid(source: string, message: string): ArtifactError {
  return new ArtifactError('ARTIFACT_INVALID', `${source}: ${message}`);
}

const TREE_ARRAYS = ['threshold', 'left', 'right', 'value', 'count'] as const;

/**
 * What the schema cannot say about tree `t`: its arrays agree in length, split features exist, leaves have no
 * children, and children come after their parent with one parent each, so every walk ends and flattening copies
 * each node once.
 */
function checkTree(source: string, tree: Tree, t: number, featureCount: number): void {
  const where = `trees[${t}].`;
  const n = tree.feature.length;
  for (const key of TREE_ARRAYS) {
    if (tree[key].length !== n) {
      throw invalid(
        source,
        `${where}${key} has ${tree[key].length} entries; it must have ${n}, one per node`,
      );
    }
  }
  const parents = new Uint8Array(n);
  for (let k = 0; k < n; k++) {
    const f = tree.feature[k] as number;
    const l = tree.left[k] as number;
    const r = tree.right[k] as number;
    const node = `${where}node ${k}`;
    if (f === LEAF) {
      if (l !== LEAF || r !== LEAF) throw invalid(source, `${node} is a leaf but has children`);
      continue;
    }
    if (f >= featureCount) {
      throw invalid(source, `${node} splits on feature ${f}, not one of the ${featureCount} features`);
    }
    if (l <= k || r <= k || l >= n || r >= n) {
      throw invalid(
        source,
        `${node} has children ${l} and ${r}; they must be nodes after it in the same tree`,
      );
    }
    for (const child of [l, r]) {
      if (parents[child] !== 0) throw invalid(source, `${where}node ${child} has two parents`);
      parents[child] = 1;
    }
  }
  const orphan = parents.indexOf(0, 1);
  if (orphan > 0) throw invalid(source, `${where}node ${orphan} is not reachable from the root`);
}

/**
 * Parses and validates artifact JSON: format name and version first, then the shape against a schema, then what
 * a schema cannot say (trees as many as `options.ntree`, each tree's structure). `source` names the file in
 * error messages.
 */
export function parseArtifact(text: string, source = 'artifact'): ForestArtifact {
  let root: unknown;
  try {
    root = JSON.parse(text);
  } catch (cause) {
    throw new ArtifactError('ARTIFACT_NOT_JSON', `${source}: not JSON (${(cause as Error).message})`, {
      cause,
    });
  }
  const head = typeof root === 'object' && root !== null ? (root as Record<string, unknown>) : {};
  if (head.format !== ARTIFACT_FORMAT) {
    throw new ArtifactError(
      'ARTIFACT_FORMAT',
      `${source}: not a random-forest artifact (format must be '${ARTIFACT_FORMAT}')`,
    );
  }
  if (head.version !== ARTIFACT_VERSION) {
    throw new ArtifactError(
      'ARTIFACT_VERSION',
      `${source}: artifact version ${JSON.stringify(head.version)} is not supported (this service reads version ${ARTIFACT_VERSION})`,
    );
  }
  if (!artifactValidator.Check(root)) {
    throw invalid(source, describeSchemaError([...artifactValidator.Errors(root)]));
  }
  const { features, target, options, data, summary, trees } = root;
  if (trees.length !== options.ntree) {
    throw invalid(source, `trees must be an array of options.ntree (${options.ntree}) trees`);
  }
  for (const [t, tree] of trees.entries()) checkTree(source, tree, t, features.length);
  // Rebuilt field by field, so fields this version does not know are not carried into `GET /score/model`.
  return {
    format: ARTIFACT_FORMAT,
    version: ARTIFACT_VERSION,
    features,
    target,
    options: { ntree: options.ntree, mtry: options.mtry, nodeSize: options.nodeSize, seed: options.seed },
    data: { file: data.file, sha256: data.sha256, rows: data.rows },
    summary: {
      rows: summary.rows,
      oobRows: summary.oobRows,
      targetVariance: summary.targetVariance,
      oobMse: summary.oobMse,
      percentVarianceExplained: summary.percentVarianceExplained,
      oobMseByTree: summary.oobMseByTree,
    },
    trees: trees.map((tree) => ({
      feature: tree.feature,
      threshold: tree.threshold,
      left: tree.left,
      right: tree.right,
      value: tree.value,
      count: tree.count,
    })),
  };
}

/** The data-file fields of an artifact, from the path the data was read from and its hash. */
export function artifactData(path: string, sha256: string, rows: number): ArtifactData {
  return { file: basename(path), sha256, rows };
}
