/**
 * Trains the Boston scoring forest and writes its artifact (the walkthrough's `randomForest(...)` + `saveRDS`).
 *
 *   npm run train -w apps/model-service -- --data <csv> --seed <n> --ntree 100 --out <file>
 *
 * Exit codes: 0 written; 2 bad options or unreadable data file; 1 anything else (such as a malformed CSV).
 */
import { stat } from 'node:fs/promises';
import { relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DatasetError } from '../src/data/errors.ts';
import { artifactData, toArtifact, writeArtifact } from '../src/forest/artifact.ts';
import { BOSTON_TARGET } from '../src/forest/boston.ts';
import { type LoadedDataset, loadDataset } from '../src/forest/dataset.ts';
import { TrainOptionsError } from '../src/forest/errors.ts';
import { type ForestOptions, resolveForestOptions, trainForest } from '../src/forest/train.ts';
import { progressBar } from './progress.ts';

const appDir = resolve(import.meta.dirname, '..');
const DEFAULT_DATA = resolve(appDir, '../../data/boston.csv');
const DEFAULT_OUT = resolve(appDir, 'var/boston-rf.json');
// `npm run train -w apps/model-service` runs here, in the app's folder; paths on its command line are meant
// relative to where the user typed it, which npm passes as INIT_CWD.
const userDir = process.env.INIT_CWD ?? process.cwd();

const USAGE = `usage: npm run train -w apps/model-service -- [options]

  --data <csv>       training data (default: the repository's data/boston.csv)
  --target <column>  column to predict; every other column is a feature (default: ${BOSTON_TARGET})
  --out <file>       artifact to write (default: apps/model-service/var/boston-rf.json)
  --seed <n>         random seed, 0 to 4294967295 (default: 1)
  --ntree <n>        trees to grow (default: 100)
  --mtry <n>         features tried at each split (default: floor(features / 3))
  --node-size <n>    nodes with this many rows or fewer are leaves (default: 5)
  --help             show this text`;

/** A command-line mistake: reported with the usage text and exit code 2. */
class UsageError extends Error {
  readonly code = 'USAGE';
}

function integerOption(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value))
    throw new UsageError(`--${name} must be a non-negative integer (got ${JSON.stringify(value)})`);
  return Number(value);
}

async function main(argv: string[]): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (err) {
    return usageFailure(err);
  }
  if (parsed.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }

  let loaded: LoadedDataset;
  try {
    loaded = await loadDataset(parsed.data, parsed.target);
  } catch (err) {
    if (isErrno(err)) return usageFailure(new UsageError(`--data: cannot read ${parsed.data} (${err.code})`));
    if (err instanceof DatasetError && err.code === 'DATASET_TARGET')
      return usageFailure(new UsageError(`--target: ${err.message}`));
    throw err;
  }
  const { dataset } = loaded;

  let options: ForestOptions;
  try {
    options = resolveForestOptions(dataset.p, parsed.options);
  } catch (err) {
    if (err instanceof TrainOptionsError)
      return usageFailure(new UsageError(`${FLAGS[err.option] ?? err.option} ${err.reason}`));
    throw err;
  }

  const bar = progressBar('growing trees');
  const started = performance.now();
  const forest = trainForest(dataset, options, (done, total, mse) =>
    bar.update(done, total, mse === null ? undefined : `OOB MSE ${mse.toFixed(2)}`),
  );
  bar.done();
  const seconds = (performance.now() - started) / 1000;

  await writeArtifact(parsed.out, toArtifact(forest, artifactData(parsed.data, loaded.sha256, dataset.n)));
  const size = (await stat(parsed.out)).size;
  const { summary } = forest;
  process.stdout.write(
    [
      `random forest regression, ${dataset.target} ~ . on ${relative(userDir, parsed.data)} (${dataset.n} rows, ${dataset.p} features)`,
      `  trees ${options.ntree}, mtry ${options.mtry}, node size ${options.nodeSize}, seed ${options.seed}: grown in ${seconds.toFixed(2)} s`,
      `  mean of squared residuals (OOB): ${summary.oobMse.toFixed(3)}`,
      `  % variance explained (OOB):      ${summary.percentVarianceExplained.toFixed(2)}`,
      // Absolute: relative to the folder npm was run from, a path outside it reads as `../x.json`.
      `wrote ${parsed.out} (${(size / 1024).toFixed(0)} KiB, data sha256 ${loaded.sha256.slice(0, 12)}…)`,
      '',
    ].join('\n'),
  );
  return 0;
}

/** The flag that sets each forest option, to name it in errors. */
const FLAGS: Record<string, string> = {
  ntree: '--ntree',
  mtry: '--mtry',
  nodeSize: '--node-size',
  seed: '--seed',
};

function isErrno(err: unknown): err is NodeJS.ErrnoException {
  return err instanceof Error && typeof (err as NodeJS.ErrnoException).code === 'string' && 'syscall' in err;
}

function parse(argv: string[]) {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      data: { type: 'string' },
      target: { type: 'string' },
      out: { type: 'string' },
      seed: { type: 'string' },
      ntree: { type: 'string' },
      mtry: { type: 'string' },
      'node-size': { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  const options: Partial<ForestOptions> = {};
  const seed = integerOption('seed', values.seed);
  const ntree = integerOption('ntree', values.ntree);
  const mtry = integerOption('mtry', values.mtry);
  const nodeSize = integerOption('node-size', values['node-size']);
  if (seed !== undefined) options.seed = seed;
  if (ntree !== undefined) options.ntree = ntree;
  if (mtry !== undefined) options.mtry = mtry;
  if (nodeSize !== undefined) options.nodeSize = nodeSize;
  for (const name of ['data', 'target', 'out'] as const) {
    if (values[name] === '') throw new UsageError(`--${name} must not be empty`);
  }
  return {
    help: values.help === true,
    data: values.data === undefined ? DEFAULT_DATA : resolve(userDir, values.data),
    target: values.target ?? BOSTON_TARGET,
    out: values.out === undefined ? DEFAULT_OUT : resolve(userDir, values.out),
    options,
  };
}

function usageFailure(err: unknown): number {
  const message = err instanceof Error ? err.message : String(err);
  process.stderr.write(`train: ${message}\n\n${USAGE}\n`);
  return 2;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`train: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
