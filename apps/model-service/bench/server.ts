/**
 * Worker thread for the benchmark: serves the scoring routes on 127.0.0.1, port 0, so the load generator on the
 * main thread and the server each have their own event loop (as a client and a server process would).
 * Receives `{ modelPath }` as workerData, posts `{ port }` once listening, closes on any message.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createService } from '@gateway-pattern/service-kit';
import { BOSTON_FEATURES } from '../src/forest/boston.ts';
import { loadScoringModel } from '../src/forest/model.ts';
import { scoreRoutes } from '../src/routes/score.ts';

const { modelPath } = workerData as { modelPath: string };
const model = await loadScoringModel(modelPath, BOSTON_FEATURES);
const app = createService({ name: 'model-service-bench', logLevel: 'warn' });
app.register(scoreRoutes, { model });
await app.listen({ host: '127.0.0.1', port: 0 });
const address = app.server.address();
if (address === null || typeof address === 'string') throw new Error('expected a TCP address');
parentPort?.postMessage({ port: address.port });
parentPort?.once('message', () => {
  void app.close().then(() => process.exit(0));
});
