/**
 * The dashboard's live figures, sampled from the Prometheus registry the data plane already feeds: once per
 * interval, and only while someone watches (the first subscriber starts the timer, the last one stops it), so
 * requests pay nothing for the dashboard. Each tick reads the cumulative router, service and entrypoint
 * duration histograms (their `_count` per `code` and their buckets) and the forwardAuth decision counter,
 * keeps the difference with the previous tick, and adds it to a sliding window (a ring of ticks plus running
 * sums, so a tick costs the same however long the window is). From that come requests per second, the status
 * codes, and p50 / p99 interpolated in the buckets, as Prometheus' `histogram_quantile` does.
 */

import type { Registry } from 'prom-client';
import { AUTH_DECISIONS_METRIC } from '../../observability/auth-decisions.ts';
import { bucketQuantile } from './quantile.ts';
import { Ring } from './ring.ts';

/** The kinds of series, each read from one histogram, keyed by one of its labels. */
export type SeriesKind = 'routers' | 'services' | 'entrypoints';

/** Where a kind's figures come from. */
export interface SeriesSource {
  readonly kind: SeriesKind;
  /** A histogram with a `code` label. */
  readonly metric: string;
  /** The label the series are keyed by. */
  readonly label: string;
}

/** Traefik's request duration histograms. */
export const traefikSources: readonly SeriesSource[] = [
  { kind: 'routers', metric: 'traefik_router_request_duration_seconds', label: 'router' },
  { kind: 'services', metric: 'traefik_service_request_duration_seconds', label: 'service' },
  { kind: 'entrypoints', metric: 'traefik_entrypoint_request_duration_seconds', label: 'entrypoint' },
];

/** One series' figures at one tick. */
export interface LivePoint {
  /** Requests during this tick. */
  readonly requests: number;
  /** Over the trailing {@link SamplerOptions.recentMs}, in seconds; null without requests. */
  readonly p50: number | null;
  readonly p99: number | null;
}

/** One series' figures over the window. */
export interface LiveSummary {
  /** Requests in the window. */
  readonly requests: number;
  /** Requests per second over the trailing {@link SamplerOptions.recentMs}. */
  readonly rps: number;
  /** Requests in the window by status code. */
  readonly codes: Readonly<Record<string, number>>;
  /** Over the window, in seconds; null without requests. */
  readonly p50: number | null;
  readonly p99: number | null;
}

/** What a forwardAuth middleware decided. */
export interface Decisions {
  readonly allowed: number;
  readonly denied: number;
  readonly error: number;
}

/** A tick: the new points (series with requests in the trailing recentMs) and the window's summaries. */
export interface LiveTick {
  readonly time: number;
  readonly points: Readonly<Record<SeriesKind, Readonly<Record<string, LivePoint>>>>;
  /** forwardAuth decisions during this tick, per middleware with any. */
  readonly decisions: Readonly<Record<string, Decisions>>;
  readonly summary: Readonly<Record<SeriesKind, Readonly<Record<string, LiveSummary>>>>;
  /** forwardAuth decisions over the window, and per second over the trailing recentMs. */
  readonly decisionSummary: Readonly<Record<string, Decisions & { readonly perSecond: Decisions }>>;
}

/** Every tick still in the window, oldest first, then the live ticks as they come. */
export interface LiveSnapshot {
  readonly intervalMs: number;
  readonly windowMs: number;
  readonly recentMs: number;
  readonly ticks: readonly Omit<LiveTick, 'summary' | 'decisionSummary'>[];
  readonly last: LiveTick | undefined;
}

/** Options of {@link LiveSampler}. */
export interface SamplerOptions {
  readonly registry: Registry;
  /** How often to sample while watched (default 1 s). */
  readonly intervalMs?: number;
  /** How much history to keep (default 10 min). */
  readonly windowMs?: number;
  /** The span of "now" figures: points' quantiles and summaries' rates (default 10 s). */
  readonly recentMs?: number;
  readonly sources?: readonly SeriesSource[];
  /** The clock (tests). */
  readonly now?: () => number;
}

/** Counts of one series over some span: by code, and per bucket (not cumulative; the last is +Inf). */
interface Slice {
  requests: number;
  readonly codes: Map<string, number>;
  readonly buckets: number[];
}

/** Cumulative readings of one series: by code, and by bucket bound (cumulative, as Prometheus keeps them). */
interface Reading {
  readonly codes: Map<string, number>;
  readonly le: Map<number, number>;
}

interface Entry {
  readonly time: number;
  readonly slices: Map<SeriesKind, Map<string, Slice>>;
  readonly decisions: Map<string, Decisions>;
  readonly points: LiveTick['points'];
}

type Readings = Map<SeriesKind, Map<string, Reading>>;
type DecisionReadings = Map<string, Decisions>;

const kinds: readonly SeriesKind[] = ['routers', 'services', 'entrypoints'];

/** Samples the registry while subscribed to; see the module comment. */
export class LiveSampler {
  readonly intervalMs: number;
  readonly windowMs: number;
  readonly recentMs: number;
  readonly #registry: Registry;
  readonly #sources: readonly SeriesSource[];
  readonly #now: () => number;
  readonly #ring: Ring<Entry>;
  readonly #listeners = new Set<(tick: LiveTick) => void>();
  /** Finite bucket bounds per kind, as first read. */
  readonly #bounds = new Map<SeriesKind, number[]>();
  #window = emptySlices();
  #windowDecisions = new Map<string, Decisions>();
  #previous: { readings: Readings; decisions: DecisionReadings } | undefined;
  #timer: NodeJS.Timeout | undefined;
  #sampling: Promise<LiveTick | undefined> | undefined;
  /** Bumped by stop(), so a sample that was under way then is dropped rather than kept as a baseline. */
  #generation = 0;
  #last: LiveTick | undefined;

  constructor(options: SamplerOptions) {
    this.#registry = options.registry;
    this.intervalMs = options.intervalMs ?? 1000;
    this.windowMs = options.windowMs ?? 10 * 60_000;
    this.recentMs = options.recentMs ?? 10_000;
    this.#sources = options.sources ?? traefikSources;
    this.#now = options.now ?? Date.now;
    this.#ring = new Ring(Math.ceil(this.windowMs / this.intervalMs) + 1);
  }

  /** True while the timer runs (someone watches). */
  get running(): boolean {
    return this.#timer !== undefined;
  }

  /** How many listeners watch. */
  get watchers(): number {
    return this.#listeners.size;
  }

  /** What a new watcher is shown first. */
  snapshot(): LiveSnapshot {
    return {
      intervalMs: this.intervalMs,
      windowMs: this.windowMs,
      recentMs: this.recentMs,
      ticks: this.#ring.last().map(({ time, points, decisions }) => ({
        time,
        points,
        decisions: Object.fromEntries(decisions),
      })),
      last: this.#last,
    };
  }

  /** Calls `listener` after each tick; the first subscription starts sampling. Returns the unsubscribe. */
  subscribe(listener: (tick: LiveTick) => void): () => void {
    this.#listeners.add(listener);
    if (this.#timer === undefined) {
      this.#timer = setInterval(() => void this.sample(), this.intervalMs);
      this.#timer.unref();
      void this.sample();
    }
    return () => {
      this.#listeners.delete(listener);
      if (this.#listeners.size === 0) this.stop();
    };
  }

  /** Stops sampling and forgets the listeners; the window is kept for the next watcher. */
  stop(): void {
    this.#listeners.clear();
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    this.#generation++;
    // The counters move while nobody watches: the next tick must start from a fresh reading.
    this.#previous = undefined;
  }

  /**
   * Takes one sample: the first after a start only records where the counters are. Resolves to the tick it
   * produced, if any. The timer calls it; tests call it directly.
   */
  sample(): Promise<LiveTick | undefined> {
    // A call while one is under way shares its result rather than reading the counters twice.
    this.#sampling ??= this.#sampleOnce().finally(() => {
      this.#sampling = undefined;
    });
    return this.#sampling;
  }

  async #sampleOnce(): Promise<LiveTick | undefined> {
    const generation = this.#generation;
    const readings = await this.#read();
    const decisions = await this.#readDecisions();
    if (generation !== this.#generation) return undefined;
    const time = this.#now();
    const previous = this.#previous;
    this.#previous = { readings, decisions };
    if (previous === undefined) return undefined;
    const tick = this.#advance(time, readings, previous.readings, decisions, previous.decisions);
    this.#last = tick;
    for (const listener of this.#listeners) listener(tick);
    return tick;
  }

  #advance(
    time: number,
    readings: Readings,
    before: Readings,
    decisions: DecisionReadings,
    decisionsBefore: DecisionReadings,
  ): LiveTick {
    const slices = emptySlices();
    for (const kind of kinds) {
      const bounds = this.#bounds.get(kind) ?? [];
      for (const [key, reading] of readings.get(kind) ?? []) {
        const slice = difference(reading, before.get(kind)?.get(key), bounds);
        if (slice.requests > 0) slices.get(kind)?.set(key, slice);
      }
    }
    const decided = new Map<string, Decisions>();
    for (const [middleware, now] of decisions) {
      const then = decisionsBefore.get(middleware);
      const delta = {
        allowed: Math.max(0, now.allowed - (then?.allowed ?? 0)),
        denied: Math.max(0, now.denied - (then?.denied ?? 0)),
        error: Math.max(0, now.error - (then?.error ?? 0)),
      };
      if (delta.allowed + delta.denied + delta.error > 0) decided.set(middleware, delta);
    }

    const dropped = this.#ring.evictBefore(time - this.windowMs + this.intervalMs / 2);
    for (const old of dropped) this.#forget(old);
    // The ticks before this one within recentMs (a pause while nobody watched leaves none).
    const recent = this.#ring
      .last(Math.max(0, Math.round(this.recentMs / this.intervalMs) - 1))
      .filter((entry) => entry.time > time - this.recentMs + this.intervalMs / 2);
    const recentSlices = [...recent.map((entry) => entry.slices), slices];
    const trailing = new Map<SeriesKind, Map<string, Slice>>();
    const points = {} as Record<SeriesKind, Record<string, LivePoint>>;
    for (const kind of kinds) {
      const bounds = this.#bounds.get(kind) ?? [];
      const sums = sumSlices(
        recentSlices.map((s) => s.get(kind) ?? new Map()),
        bounds.length + 1,
      );
      trailing.set(kind, sums);
      points[kind] = {};
      for (const [key, sum] of sums) {
        points[kind][key] = {
          requests: slices.get(kind)?.get(key)?.requests ?? 0,
          ...quantiles(bounds, sum.buckets),
        };
      }
    }
    const entry: Entry = { time, slices, decisions: decided, points };
    const displaced = this.#ring.push(entry);
    if (displaced !== undefined) this.#forget(displaced);
    this.#remember(entry);

    const recentDecisions = [...recent.map((e) => e.decisions), decided];
    return {
      time,
      points,
      decisions: Object.fromEntries(decided),
      summary: this.#summary(trailing, recentSlices.length),
      decisionSummary: this.#decisionSummary(recentDecisions),
    };
  }

  /** The window's figures per series; rates over `trailing`, the sums of the last `ticks` ticks. */
  #summary(trailing: Map<SeriesKind, Map<string, Slice>>, ticks: number): LiveTick['summary'] {
    const seconds = (ticks * this.intervalMs) / 1000;
    const out = {} as Record<SeriesKind, Record<string, LiveSummary>>;
    for (const kind of kinds) {
      const bounds = this.#bounds.get(kind) ?? [];
      out[kind] = {};
      for (const [key, slice] of this.#window.get(kind) ?? []) {
        out[kind][key] = {
          requests: slice.requests,
          rps: (trailing.get(kind)?.get(key)?.requests ?? 0) / seconds,
          codes: Object.fromEntries(slice.codes),
          ...quantiles(bounds, slice.buckets),
        };
      }
    }
    return out;
  }

  #decisionSummary(recent: readonly Map<string, Decisions>[]): LiveTick['decisionSummary'] {
    const seconds = (recent.length * this.intervalMs) / 1000;
    const out: Record<string, Decisions & { perSecond: Decisions }> = {};
    for (const [middleware, total] of this.#windowDecisions) {
      const sum = { allowed: 0, denied: 0, error: 0 };
      for (const tick of recent) addDecisions(sum, tick.get(middleware), 1);
      out[middleware] = {
        ...total,
        perSecond: {
          allowed: sum.allowed / seconds,
          denied: sum.denied / seconds,
          error: sum.error / seconds,
        },
      };
    }
    return out;
  }

  #remember(entry: Entry): void {
    this.#apply(entry, 1);
  }

  #forget(entry: Entry): void {
    this.#apply(entry, -1);
  }

  /** Adds an entry to the window's running sums (sign 1) or takes it out (sign -1). */
  #apply(entry: Entry, sign: 1 | -1): void {
    for (const kind of kinds) {
      const window = this.#window.get(kind) as Map<string, Slice>;
      const width = (this.#bounds.get(kind)?.length ?? 0) + 1;
      for (const [key, slice] of entry.slices.get(kind) ?? []) {
        let sum = window.get(key);
        if (sum === undefined) {
          sum = { requests: 0, codes: new Map(), buckets: new Array<number>(width).fill(0) };
          window.set(key, sum);
        }
        addSlice(sum, slice, sign);
        if (sum.requests <= 0) window.delete(key);
      }
    }
    for (const [middleware, delta] of entry.decisions) {
      const sum = { ...(this.#windowDecisions.get(middleware) ?? { allowed: 0, denied: 0, error: 0 }) };
      addDecisions(sum, delta, sign);
      if (sum.allowed + sum.denied + sum.error <= 0) this.#windowDecisions.delete(middleware);
      else this.#windowDecisions.set(middleware, sum);
    }
  }

  /** Cumulative readings of every source, summed over the labels other than the key and `code`. */
  async #read(): Promise<Readings> {
    const readings: Readings = new Map();
    for (const source of this.#sources) {
      const byKey = new Map<string, Reading>();
      readings.set(source.kind, byKey);
      const metric = this.#registry.getSingleMetric(source.metric);
      if (metric === undefined) continue;
      const { values } = await metric.get();
      const les = new Set<number>();
      // A histogram's values carry the series they belong to (`_bucket`, `_sum`, `_count`).
      for (const { labels, value, metricName } of values as {
        labels: (typeof values)[number]['labels'];
        value: number;
        metricName?: string;
      }[]) {
        const key = labels[source.label];
        if (key === undefined) continue;
        let reading = byKey.get(String(key));
        if (reading === undefined) {
          reading = { codes: new Map(), le: new Map() };
          byKey.set(String(key), reading);
        }
        if (metricName?.endsWith('_count')) {
          const code = String(labels.code ?? '');
          reading.codes.set(code, (reading.codes.get(code) ?? 0) + value);
        } else if (metricName?.endsWith('_bucket')) {
          const le = labels.le === '+Inf' ? Number.POSITIVE_INFINITY : Number(labels.le);
          les.add(le);
          reading.le.set(le, (reading.le.get(le) ?? 0) + value);
        }
      }
      if (!this.#bounds.has(source.kind) && les.size > 0) {
        this.#bounds.set(
          source.kind,
          [...les].filter(Number.isFinite).sort((a, b) => a - b),
        );
      }
    }
    return readings;
  }

  async #readDecisions(): Promise<DecisionReadings> {
    const out: DecisionReadings = new Map();
    const metric = this.#registry.getSingleMetric(AUTH_DECISIONS_METRIC);
    if (metric === undefined) return out;
    for (const { labels, value } of (await metric.get()).values) {
      const middleware = String(labels.middleware ?? '');
      const decision = labels.decision;
      if (decision !== 'allowed' && decision !== 'denied' && decision !== 'error') continue;
      const current = out.get(middleware) ?? { allowed: 0, denied: 0, error: 0 };
      out.set(middleware, { ...current, [decision]: current[decision] + value });
    }
    return out;
  }
}

function quantiles(
  bounds: readonly number[],
  buckets: readonly number[],
): { p50: number | null; p99: number | null } {
  return {
    p50: bucketQuantile(0.5, bounds, buckets) ?? null,
    p99: bucketQuantile(0.99, bounds, buckets) ?? null,
  };
}

function emptySlices(): Map<SeriesKind, Map<string, Slice>> {
  return new Map(kinds.map((kind) => [kind, new Map<string, Slice>()]));
}

/** What one series counted between two readings, its buckets turned from cumulative into per-bucket counts. */
function difference(now: Reading, then: Reading | undefined, bounds: readonly number[]): Slice {
  const codes = new Map<string, number>();
  let requests = 0;
  for (const [code, count] of now.codes) {
    const delta = Math.max(0, count - (then?.codes.get(code) ?? 0));
    if (delta > 0) codes.set(code, delta);
    requests += delta;
  }
  const buckets: number[] = [];
  let below = 0;
  for (const le of [...bounds, Number.POSITIVE_INFINITY]) {
    const cumulative = Math.max(0, (now.le.get(le) ?? 0) - (then?.le.get(le) ?? 0));
    buckets.push(Math.max(0, cumulative - below));
    below = Math.max(below, cumulative);
  }
  return { requests, codes, buckets };
}

function addSlice(sum: Slice, slice: Slice, sign: 1 | -1): void {
  sum.requests += sign * slice.requests;
  for (const [code, count] of slice.codes) {
    const next = (sum.codes.get(code) ?? 0) + sign * count;
    if (next > 0) sum.codes.set(code, next);
    else sum.codes.delete(code);
  }
  for (let i = 0; i < slice.buckets.length; i++) {
    sum.buckets[i] = (sum.buckets[i] ?? 0) + sign * (slice.buckets[i] ?? 0);
  }
}

function sumSlices(maps: readonly Map<string, Slice>[], width: number): Map<string, Slice> {
  const out = new Map<string, Slice>();
  for (const map of maps) {
    for (const [key, slice] of map) {
      let sum = out.get(key);
      if (sum === undefined) {
        sum = { requests: 0, codes: new Map(), buckets: new Array<number>(width).fill(0) };
        out.set(key, sum);
      }
      addSlice(sum, slice, 1);
    }
  }
  return out;
}

function addDecisions(
  sum: { allowed: number; denied: number; error: number },
  delta: Decisions | undefined,
  sign: 1 | -1,
): void {
  if (delta === undefined) return;
  sum.allowed += sign * delta.allowed;
  sum.denied += sign * delta.denied;
  sum.error += sign * delta.error;
}
