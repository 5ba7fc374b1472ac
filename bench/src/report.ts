/**
 * The bench's results: the machine, the settings, and each scenario's medians and ratios, as JSON (for the
 * record, `bench/results/<date>.json`) and as the Markdown table the README shows.
 */
import { spawnSync } from 'node:child_process';
import { cpus, totalmem } from 'node:os';
import type { RoundOptions, Series } from './rounds.ts';

/** A ratio to reach: throughput at least `minThroughput`× the peer's, p99 at most `maxP99`× the peer's. */
export interface Goal {
  readonly minThroughput: number;
  readonly maxP99?: number;
}

/** One scenario's outcome. */
export interface ScenarioResult {
  readonly id: string;
  readonly title: string;
  /** What the gateway and the peer ran, in a few words each. */
  readonly gatewaySetup: string;
  /** What the gateway is measured against: `nginx` (tuned), or another peer the title names. */
  readonly peerName?: string;
  readonly peerSetup: string;
  readonly gateway: Series;
  readonly peer: Series;
  readonly goal?: Goal;
}

/** Where the figures were taken. */
export interface Machine {
  readonly cpu: string;
  readonly cores: number;
  readonly memoryGiB: number;
  readonly kernel: string;
  readonly node: string;
  readonly nginx: string;
  readonly wrk: string;
}

/** Everything one bench run found. */
export interface BenchReport {
  readonly date: string;
  readonly machine: Machine;
  readonly settings: RoundOptions & { readonly quick: boolean; readonly wrkThreads: number };
  readonly scenarios: readonly ScenarioResult[];
}

/** The first line a command prints, on stdout or stderr (nginx -v and wrk -v print there, wrk exits 1). */
const firstLine = (command: string, args: string[]): string => {
  const result = spawnSync(command, args, { encoding: 'utf8' });
  const text = `${result.stdout ?? ''}\n${result.stderr ?? ''}`;
  return (
    text
      .split('\n')
      .map((line) => line.trim())
      .find((line) => line !== '') ?? ''
  );
};

/** The machine this runs on. */
export function machine(): Machine {
  const cpu = cpus();
  return {
    cpu: cpu[0]?.model ?? 'unknown',
    cores: cpu.length,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    kernel: firstLine('uname', ['-sr']),
    node: process.version,
    nginx: firstLine('nginx', ['-v']).replace(/^nginx version: (nginx\/)?/, ''),
    wrk: firstLine('wrk', ['-v']).split(' [')[0] ?? '',
  };
}

/** Gateway throughput / peer throughput. */
export const throughputRatio = (r: ScenarioResult): number => r.gateway.rps / r.peer.rps;
/** Gateway p99 / peer p99. */
export const p99Ratio = (r: ScenarioResult): number => r.gateway.p99 / r.peer.p99;

/** True when the scenario has a goal and meets it; undefined without a goal. */
export function goalMet(r: ScenarioResult): boolean | undefined {
  if (r.goal === undefined) return undefined;
  const throughput = throughputRatio(r) >= r.goal.minThroughput;
  const p99 = r.goal.maxP99 === undefined || p99Ratio(r) <= r.goal.maxP99;
  return throughput && p99;
}

const rps = (value: number) => Math.round(value).toLocaleString('en-US');
const ms = (value: number) => (value >= 10 ? value.toFixed(1) : value.toFixed(2));
const goalText = (goal: Goal | undefined) =>
  goal === undefined
    ? ''
    : `≥ ${goal.minThroughput}×${goal.maxP99 === undefined ? '' : `, p99 ≤ ${goal.maxP99}×`}`;

/** The Markdown table and what it was measured on. */
export function markdown(report: BenchReport): string {
  const { machine: m, settings: s } = report;
  const lines = [
    `| scenario | gateway req/s | p99 ms | peer req/s | p99 ms | throughput | p99 | goal | met |`,
    `|---|---:|---:|---:|---:|---:|---:|---|---|`,
  ];
  for (const r of report.scenarios) {
    const met = goalMet(r);
    const errors = r.gateway.errors + r.peer.errors;
    lines.push(
      `| ${r.title}${errors > 0 ? ` (${errors} errors)` : ''} | ${rps(r.gateway.rps)} | ${ms(r.gateway.p99)} | ${rps(r.peer.rps)} | ${ms(r.peer.p99)} | ${throughputRatio(r).toFixed(2)}× | ${p99Ratio(r).toFixed(2)}× | ${goalText(r.goal)} | ${met === undefined ? '' : met ? 'yes' : 'no'} |`,
    );
  }
  lines.push(
    '',
    `${report.date}, ${m.cores} × ${m.cpu}, ${m.memoryGiB} GiB, ${m.kernel}, Node ${m.node}, nginx ${m.nginx}, ${m.wrk}. ` +
      `wrk -t${s.wrkThreads} -c${s.connections}, ${s.rounds} alternating rounds of ${s.durationSec} s per side ` +
      `(after ${s.warmupSec} s of warm-up), medians${s.quick ? ' (--quick)' : ''}. ` +
      'The peer is nginx with keep-alive to its upstreams unless the scenario names another.',
  );
  return `${lines.join('\n')}\n`;
}
