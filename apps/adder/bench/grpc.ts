/**
 * `npm run bench -w apps/adder`: unary gRPC calls/s and p99 for the adder at 1, 8 and 32 calls in flight over
 * 1 and 4 connections, driven by the load client's runner, beside a minimal grpc-js client loop against the
 * same server in the same run. The ratio is the load client's own overhead (histograms, scheduling, outcomes).
 * Client and server share this machine; the server runs in its own process.
 *
 * Each cell alternates the two clients for BENCH_ROUNDS rounds (default 3) of BENCH_DURATION_SEC (default 2) and
 * reports medians.
 */

import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { type AddressInfo, createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import { run } from '../src/load/runner.ts';
import { grpcTarget } from '../src/load/targets/grpc.ts';
import { type AdderClient, createAdderClient } from '../src/proto/adder.ts';

// `npm run bench -- --quick` (the root bench in under a minute): one round of 0.5 s, two cells.
const QUICK = process.argv.includes('--quick');
const DURATION_MS = Number(process.env.BENCH_DURATION_SEC ?? (QUICK ? 0.5 : 2)) * 1000;
const WARMUP_MS = 500;
// Client and server share two cores, so one run of a cell varies by tens of percent; alternating the two
// clients over several rounds and taking medians keeps the ratio honest.
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? (QUICK ? 1 : 3));
const CONCURRENCY = QUICK ? [1, 32] : [1, 8, 32];
const CONNECTIONS = QUICK ? [1] : [1, 4];

/** The minimal loop: `concurrency` callbacks chained back to back, latencies in a plain array. */
async function bareLoop(target: string, concurrency: number, connections: number): Promise<Figures> {
  const clients: AdderClient[] = Array.from({ length: connections }, () =>
    createAdderClient(target, grpc.credentials.createInsecure(), { 'grpc.use_local_subchannel_pool': 1 }),
  );
  const metadata = new grpc.Metadata();
  const latencies: number[] = [];
  let next = 0;
  let measuring = false;
  let stop = false;
  const loop = () =>
    new Promise<void>((resolve) => {
      const one = () => {
        if (stop) return resolve();
        const client = clients[next] as AdderClient;
        next = (next + 1) % clients.length;
        const start = performance.now();
        client.Add({ x: '10', y: '10' }, metadata, {}, (error) => {
          if (error) throw error;
          if (measuring) latencies.push(performance.now() - start);
          one();
        });
      };
      one();
    });
  const loops = Array.from({ length: concurrency }, loop);
  await sleep(WARMUP_MS);
  measuring = true;
  const started = performance.now();
  await sleep(DURATION_MS);
  measuring = false;
  const elapsed = performance.now() - started;
  stop = true;
  await Promise.all(loops);
  for (const client of clients) client.close();
  latencies.sort((a, b) => a - b);
  return {
    rps: (latencies.length * 1000) / elapsed,
    p99: latencies[Math.floor(latencies.length * 0.99)] ?? 0,
  };
}

async function loadClient(target: string, concurrency: number, connections: number): Promise<Figures> {
  const client = grpcTarget({ target, connections, request: { x: '10', y: '10' }, timeoutMs: 10_000 });
  const summary = await run(client, { concurrency, durationMs: DURATION_MS, warmupMs: WARMUP_MS });
  await client.close();
  return { rps: summary.rps, p99: summary.latency.p99 };
}

/** Calls per second and p99 latency (ms) of one run. */
interface Figures {
  rps: number;
  p99: number;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

function medians(runs: Figures[]): Figures {
  return { rps: median(runs.map((r) => r.rps)), p99: median(runs.map((r) => r.p99)) };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A port the OS says is free now (the server binds it a moment later). */
async function freePort(): Promise<number> {
  const probe = createServer().listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const { port } = probe.address() as AddressInfo;
  probe.close();
  return port;
}

async function startServer(): Promise<{ target: string; stop: () => Promise<void> }> {
  const main = fileURLToPath(new URL('../src/main.ts', import.meta.url));
  const port = await freePort();
  const child = spawn(process.execPath, [main], {
    env: { ...process.env, GRPC_PORT: String(port), HTTP_PORT: '0', LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const target = `127.0.0.1:${port}`;
  const probe = createAdderClient(target);
  await new Promise<void>((resolve, reject) =>
    probe.waitForReady(Date.now() + 10_000, (error) => (error ? reject(error) : resolve())),
  );
  probe.close();
  return {
    target,
    stop: async () => {
      child.kill('SIGTERM');
      await once(child, 'exit');
    },
  };
}

const server = await startServer();
process.stdout.write(
  `adder gRPC benchmark: unary Add; per cell, ${ROUNDS} alternating rounds of ${DURATION_MS / 1000} s (after ${WARMUP_MS / 1000} s warm-up) per client, medians; server in its own process\n\n`,
);
process.stdout.write(
  'in flight  conns   load client calls/s   p99      bare grpc-js calls/s   p99      load/bare\n',
);
try {
  for (const connections of CONNECTIONS) {
    for (const concurrency of CONCURRENCY) {
      const bares: Figures[] = [];
      const ourRuns: Figures[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        bares.push(await bareLoop(server.target, concurrency, connections));
        ourRuns.push(await loadClient(server.target, concurrency, connections));
      }
      const bare = medians(bares);
      const ours = medians(ourRuns);
      process.stdout.write(
        `${String(concurrency).padStart(9)}  ${String(connections).padStart(5)}   ${ours.rps.toFixed(0).padStart(17)}   ${ours.p99.toFixed(2).padStart(6)}ms ${bare.rps.toFixed(0).padStart(20)}   ${bare.p99.toFixed(2).padStart(6)}ms ${(ours.rps / bare.rps).toFixed(2).padStart(9)}×\n`,
      );
    }
  }
} finally {
  await server.stop();
}
