/**
 * `npm run bench -w apps/model-service`: how good and how fast the Boston scoring forest is.
 *
 * Quality: OOB % variance explained of the served artifact (goal ≥ 86 %; R: 87.3–88.0) and RMSE on a fixed
 * 80/20 hold-out split. Speed: one fit of 100 trees (R: about 0.1 s); rows/s for 1-, 10- and 506-row requests
 * in-process (validation + predict, and predict alone); and requests/s through HTTP against the real scoring
 * routes in a worker thread, driven by an undici Pool with 4 connections, compared with the walkthrough's plumber
 * service (78 requests/s for 10-row requests; goal ≥ 20×, i.e. ≥ 1,600 requests/s).
 *
 * Env: SCORE_MODEL (default var/boston-rf.json, built by `npm run build`), BENCH_DURATION_SEC (default 4, 1 with
 * `--quick`).
 */
import { resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import { Pool } from 'undici';
import { readArtifact } from '../src/forest/artifact.ts';
import { BOSTON_FEATURES, BOSTON_TARGET } from '../src/forest/boston.ts';
import { type Dataset, loadDataset, subsetRows } from '../src/forest/dataset.ts';
import { ArtifactError } from '../src/forest/errors.ts';
import { flattenForest } from '../src/forest/flatten.ts';
import { scoringModel } from '../src/forest/model.ts';
import { predictRows } from '../src/forest/predict.ts';
import { Random } from '../src/forest/random.ts';
import { RecordReader } from '../src/forest/records.ts';
import { trainForest } from '../src/forest/train.ts';

const appDir = resolve(import.meta.dirname, '..');
const MODEL = resolve(appDir, process.env.SCORE_MODEL ?? 'var/boston-rf.json');
const DATA = resolve(appDir, '../../data/boston.csv');
// `npm run bench -- --quick` (the root bench in under a minute): 1 s per HTTP measure.
const DURATION_MS =
  Number(process.env.BENCH_DURATION_SEC ?? (process.argv.includes('--quick') ? 1 : 4)) * 1000;
const PLUMBER_REQUESTS_PER_SEC = 78;
const SIZES = [1, 10, 506] as const;
const CONNECTIONS = 4;

function records(data: Dataset, rows: number): Record<string, number>[] {
  return Array.from({ length: rows }, (_, r) => {
    const record: Record<string, number> = {};
    data.features.forEach((name, f) => {
      record[name] = data.x[r * data.p + f]!;
    });
    record[data.target] = data.y[r]!;
    return record;
  });
}

/** Runs `work` repeatedly for about `ms` milliseconds; returns calls per second. */
function repeat(ms: number, work: () => void): number {
  for (let i = 0; i < 200; i++) work(); // warm up the JIT before timing
  let calls = 0;
  const start = performance.now();
  let now = start;
  while (now - start < ms) {
    for (let i = 0; i < 50; i++) work();
    calls += 50;
    now = performance.now();
  }
  return (calls * 1000) / (now - start);
}

function holdOutRmse(
  data: Dataset,
  seed: number,
): { rmse: number; meanOnlyRmse: number; train: number; test: number } {
  const order = Array.from({ length: data.n }, (_, i) => i);
  const random = new Random(20_240_601);
  for (let i = order.length - 1; i > 0; i--) {
    const j = random.below(i + 1);
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  const cut = Math.round(data.n * 0.8);
  const train = subsetRows(data, order.slice(0, cut));
  const test = subsetRows(data, order.slice(cut));
  const flat = flattenForest(trainForest(train, { seed }).trees, data.p);
  const predicted = new Float64Array(test.n);
  predictRows(flat, test.x, test.n, predicted);
  let trainMean = 0;
  for (const y of train.y) trainMean += y;
  trainMean /= train.n;
  let sse = 0;
  let sseMean = 0;
  for (let i = 0; i < test.n; i++) {
    sse += (test.y[i]! - predicted[i]!) ** 2;
    sseMean += (test.y[i]! - trainMean) ** 2;
  }
  return {
    rmse: Math.sqrt(sse / test.n),
    meanOnlyRmse: Math.sqrt(sseMean / test.n),
    train: train.n,
    test: test.n,
  };
}

async function startServer(): Promise<{ port: number; stop: () => Promise<void> }> {
  const worker = new Worker(new URL('./server.ts', import.meta.url), { workerData: { modelPath: MODEL } });
  const port = await new Promise<number>((resolvePort, reject) => {
    worker.once('message', (message: { port: number }) => resolvePort(message.port));
    worker.once('error', reject);
  });
  return {
    port,
    stop: async () => {
      const exited = new Promise((done) => worker.once('exit', done));
      worker.postMessage('close');
      await exited;
    },
  };
}

interface HttpResult {
  requestsPerSec: number;
  p50: number;
  p99: number;
  errors: number;
}

async function load(pool: Pool, body: string, ms: number): Promise<HttpResult> {
  const latencies: number[] = [];
  let errors = 0;
  const send = async (): Promise<void> => {
    const started = performance.now();
    const res = await pool.request({
      method: 'POST',
      path: '/score',
      headers: { 'content-type': 'application/json' },
      body,
    });
    await res.body.text();
    if (res.statusCode !== 200) errors++;
    latencies.push(performance.now() - started);
  };
  for (let i = 0; i < 100; i++) await send(); // warm up
  latencies.length = 0;
  const start = performance.now();
  // Twice as many senders as connections, so a connection never waits for the client to issue the next request.
  await Promise.all(
    Array.from({ length: CONNECTIONS * 2 }, async () => {
      while (performance.now() - start < ms) await send();
    }),
  );
  const elapsed = performance.now() - start;
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!;
  return { requestsPerSec: (latencies.length * 1000) / elapsed, p50: at(0.5), p99: at(0.99), errors };
}

const fmt = (value: number, digits = 0) =>
  value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

async function main(): Promise<void> {
  let artifact: Awaited<ReturnType<typeof readArtifact>>;
  try {
    artifact = await readArtifact(MODEL);
  } catch (err) {
    if (err instanceof ArtifactError) {
      process.stderr.write(`bench: ${err.message}\nbuild it first: npm run build -w apps/model-service\n`);
      process.exit(2);
    }
    throw err;
  }
  const model = scoringModel(artifact);
  const { dataset: data } = await loadDataset(DATA, BOSTON_TARGET);
  const out: string[] = [];
  const print = (line = '') => {
    process.stdout.write(`${line}\n`);
    out.push(line);
  };

  print(`model-service scoring benchmark — ${MODEL.replace(`${appDir}/`, '')}`);
  print(
    `  ${artifact.options.ntree} trees, mtry ${artifact.options.mtry}, node size ${artifact.options.nodeSize}, seed ${artifact.options.seed}, ${model.info.nodes} nodes`,
  );
  print();
  print('quality');
  const pct = artifact.summary.percentVarianceExplained;
  print(
    `  OOB % variance explained  ${fmt(pct, 2)} %   (goal ≥ 86 %: ${pct >= 86 ? 'met' : 'NOT met'}; R randomForest: 87.3–88.0)`,
  );
  print(`  OOB MSE                   ${fmt(artifact.summary.oobMse, 2)}     (R randomForest: 10.09–10.72)`);
  const holdOut = holdOutRmse(data, artifact.options.seed);
  print(
    `  hold-out RMSE (80/20)     ${fmt(holdOut.rmse, 2)}      (${holdOut.train} train / ${holdOut.test} test rows; predicting the mean: ${fmt(holdOut.meanOnlyRmse, 2)})`,
  );
  const fitStart = performance.now();
  trainForest(data, { seed: artifact.options.seed });
  print(
    `  one fit, 100 trees        ${fmt((performance.now() - fitStart) / 1000, 2)} s    (R randomForest: about 0.1 s)`,
  );
  print();

  print('in-process (one thread)              rows/s   requests/s');
  const reader = new RecordReader(BOSTON_FEATURES, 10_000);
  const predictions = new Float64Array(506);
  for (const size of SIZES) {
    const body = { df: records(data, size) };
    const x = data.x.subarray(0, size * data.p);
    const predictOnly = repeat(1000, () => predictRows(model.forest, x, size, predictions));
    const full = repeat(1000, () => {
      const matrix = reader.read(body);
      predictRows(model.forest, matrix.x, matrix.rows, predictions);
    });
    print(
      `  ${String(size).padStart(3)} rows, predict only      ${fmt(predictOnly * size).padStart(12)} ${fmt(predictOnly).padStart(12)}`,
    );
    print(
      `  ${String(size).padStart(3)} rows, validate + predict ${fmt(full * size).padStart(12)} ${fmt(full).padStart(12)}`,
    );
  }
  print();

  print(
    `HTTP (server in a worker thread, undici Pool, ${CONNECTIONS} connections, ${DURATION_MS / 1000} s each)`,
  );
  print('                requests/s       rows/s    p50 ms    p99 ms   vs plumber (78 req/s)');
  const server = await startServer();
  const pool = new Pool(`http://127.0.0.1:${server.port}`, { connections: CONNECTIONS });
  try {
    for (const size of SIZES) {
      const result = await load(pool, JSON.stringify({ df: records(data, size) }), DURATION_MS);
      const ratio =
        size === 10
          ? `${fmt(result.requestsPerSec / PLUMBER_REQUESTS_PER_SEC, 1)}× (goal ≥ 20×: ${result.requestsPerSec >= 20 * PLUMBER_REQUESTS_PER_SEC ? 'met' : 'NOT met'})`
          : '';
      print(
        `  ${String(size).padStart(3)} rows ${fmt(result.requestsPerSec).padStart(14)} ${fmt(result.requestsPerSec * size).padStart(12)} ${fmt(result.p50, 2).padStart(9)} ${fmt(result.p99, 2).padStart(9)}   ${ratio}${result.errors > 0 ? `  (${result.errors} non-200!)` : ''}`,
      );
    }
  } finally {
    await pool.close();
    await server.stop();
  }
}

await main();
