import assert from 'node:assert/strict';
import { it } from 'node:test';
import { type BenchReport, goalMet, markdown, type ScenarioResult } from './report.ts';
import { seriesOf } from './rounds.ts';

const run = (rps: number, p99: number) => ({
  requestsPerSec: rps,
  p50: p99 / 4,
  p90: p99 / 2,
  p99,
  errors: 0,
  requests: rps,
});
const scenario = (gateway: number, peer: number, goal?: ScenarioResult['goal']): ScenarioResult => ({
  id: 'x',
  title: 'forward auth',
  gatewaySetup: 'g',
  peerSetup: 'n',
  gateway: seriesOf([run(gateway, 2)]),
  peer: seriesOf([run(peer, 2)]),
  goal,
});

it('meets a goal on throughput and p99 ratios, and has none without one', () => {
  assert.equal(goalMet(scenario(1500, 1000, { minThroughput: 1.5 })), true);
  assert.equal(goalMet(scenario(1400, 1000, { minThroughput: 1.5 })), false);
  assert.equal(goalMet(scenario(1000, 1000, { minThroughput: 1, maxP99: 0.9 })), false);
  assert.equal(goalMet(scenario(1000, 1000)), undefined);
});

it('writes one table row per scenario and the machine under it', () => {
  const report: BenchReport = {
    date: '2026-11-30',
    machine: {
      cpu: 'CPU',
      cores: 2,
      memoryGiB: 8,
      kernel: 'Linux 6',
      node: 'v24',
      nginx: '1.22.1',
      wrk: 'wrk 4.1.0',
    },
    settings: { rounds: 3, durationSec: 5, warmupSec: 1, connections: 16, quick: false, wrkThreads: 1 },
    scenarios: [scenario(12_000, 24_000, { minThroughput: 1, maxP99: 1.2 })],
  };
  const text = markdown(report);
  assert.match(
    text,
    /\| forward auth \| 12,000 \| 2\.00 \| 24,000 \| 2\.00 \| 0\.50× \| 1\.00× \| ≥ 1×, p99 ≤ 1\.2× \| no \|/,
  );
  assert.match(
    text,
    /2 × CPU, 8 GiB, Linux 6, Node v24, nginx 1\.22\.1, wrk 4\.1\.0\. wrk -t1 -c16, 3 alternating rounds/,
  );
});
