/**
 * The loadBalancer strategies besides wrr (Traefik v3 `loadBalancer.strategy`), each picking among the servers
 * that are up:
 *
 * - `p2c`: two distinct servers drawn at random, the one with fewer requests in flight wins (the first drawn on
 *   a tie). Weights play no part, so a server of weight 0 is still picked, as in Traefik.
 * - `hrw`: rendezvous hashing of the client IP: each server scores weight / -ln(h), h being the 64-bit FNV-1a
 *   hash of IP + server URL scaled to [0, 1); the highest score wins, so a client stays on one server while it
 *   is up and only the clients of a server that goes down move. Weight ≤ 0: never picked.
 * - `leasttime`: lowest average time to the answer's head (last 100 answers, whole milliseconds) × (1 + requests
 *   in flight) / weight; ties go to weighted round robin by earliest deadline. Weight ≤ 0: never picked.
 */

import type { Member } from './rotation.ts';

/** The strategies other than wrr. */
export type Strategy = 'p2c' | 'hrw' | 'leasttime';

/** An integer in [0, n): the random source of p2c (a seam for tests). */
export type RandomIndex = (n: number) => number;

/** Math.random scaled to [0, n). */
export const randomIndex: RandomIndex = (n) => Math.floor(Math.random() * n);

// Response times kept per server for leasttime, as Traefik.
const samples = 100;

interface Entry<T> {
  readonly key: string;
  readonly item: T;
  readonly weight: number;
  /** UTF-8 bytes of the key, hashed after the client IP by hrw. */
  readonly keyBytes: Buffer;
  inflight: number;
  times: Float64Array | undefined;
  timeIndex: number;
  timeSum: number;
  timeCount: number;
  deadline: number;
}

/** Picks a member by one of the strategies, tracking what it needs (requests in flight, response times). */
export class StrategyPicker<T> {
  readonly #strategy: Strategy;
  readonly #random: RandomIndex;
  readonly #entries: readonly Entry<T>[];
  readonly #byItem = new Map<T, Entry<T>>();
  readonly #down = new Set<string>();
  /** The members that can be picked: up (and, but for p2c, with a positive weight). */
  #pickable: Entry<T>[] = [];
  #lastDeadline = 0;

  constructor(strategy: Strategy, members: readonly Member<T>[], random: RandomIndex = randomIndex) {
    this.#strategy = strategy;
    this.#random = random;
    this.#entries = members
      .filter((member) => strategy === 'p2c' || member.weight > 0)
      .map((member) => {
        const entry: Entry<T> = {
          key: member.key,
          item: member.item,
          weight: member.weight,
          keyBytes: Buffer.from(member.key),
          inflight: 0,
          times: strategy === 'leasttime' ? new Float64Array(samples) : undefined,
          timeIndex: 0,
          timeSum: 0,
          timeCount: 0,
          // Staggered so that equal servers do not all start at the same deadline.
          deadline: 0,
        };
        if (member.weight > 0) {
          this.#lastDeadline += 1 / member.weight;
          entry.deadline = this.#lastDeadline;
        }
        return entry;
      });
    for (const entry of this.#entries) this.#byItem.set(entry.item, entry);
    this.#pickable = [...this.#entries];
  }

  /** Marks a member up or down. */
  setUp(key: string, up: boolean): void {
    if (up ? !this.#down.delete(key) : this.#down.has(key)) return;
    if (!up) this.#down.add(key);
    this.#pickable = this.#entries.filter((entry) => !this.#down.has(entry.key));
  }

  /** The member to send a request from `clientIp` to, or undefined when none can be picked. */
  pick(clientIp: string): T | undefined {
    const pickable = this.#pickable;
    if (pickable.length === 0) return undefined;
    if (this.#strategy === 'hrw') return highestRandomWeight(pickable, clientIp).item;
    if (pickable.length === 1) return pickable[0]?.item;
    return this.#strategy === 'p2c' ? this.#powerOfTwo(pickable) : this.#leastTime(pickable);
  }

  /** Counts a request in flight to `item` until `run`'s promise settles. */
  track(item: T, run: () => Promise<void>): Promise<void> {
    const entry = this.#byItem.get(item);
    if (entry === undefined) return run();
    entry.inflight++;
    return run().finally(() => {
      entry.inflight--;
    });
  }

  /** Records the time `item` took to answer (leasttime), truncated to whole milliseconds as Traefik does. */
  answered(item: T, elapsedMs: number): void {
    const entry = this.#byItem.get(item);
    const times = entry?.times;
    if (entry === undefined || times === undefined) return;
    const ms = Math.trunc(elapsedMs);
    if (entry.timeCount < samples) entry.timeCount++;
    else entry.timeSum -= times[entry.timeIndex] ?? 0;
    times[entry.timeIndex] = ms;
    entry.timeSum += ms;
    entry.timeIndex = (entry.timeIndex + 1) % samples;
  }

  #powerOfTwo(pickable: readonly Entry<T>[]): T | undefined {
    const first = this.#random(pickable.length);
    let second = this.#random(pickable.length);
    if (second === first) second = (second + 1) % pickable.length;
    const a = pickable[first];
    const b = pickable[second];
    if (a === undefined || b === undefined) return undefined;
    return b.inflight < a.inflight ? b.item : a.item;
  }

  #leastTime(pickable: readonly Entry<T>[]): T | undefined {
    let best = Number.POSITIVE_INFINITY;
    let tied: Entry<T>[] = [];
    for (const entry of pickable) {
      const average = entry.timeCount === 0 ? 0 : entry.timeSum / entry.timeCount;
      const score = (average * (1 + entry.inflight)) / entry.weight;
      if (score < best) {
        best = score;
        tied = [entry];
      } else if (score === best) tied.push(entry);
    }
    if (tied.length === 1) return tied[0]?.item;
    // Earliest deadline first among the tied: each pick pushes the winner's deadline by 1/weight.
    let chosen: Entry<T> | undefined;
    for (const entry of tied) if (chosen === undefined || entry.deadline < chosen.deadline) chosen = entry;
    if (chosen === undefined) return undefined;
    chosen.deadline += 1 / chosen.weight;
    if (chosen.deadline > this.#lastDeadline) this.#lastDeadline = chosen.deadline;
    return chosen.item;
  }
}

const fnvOffset = 0xcbf29ce484222325n;
const fnvPrime = 0x100000001b3n;
const mask64 = 0xffffffffffffffffn;

/** 64-bit FNV-1a of `bytes`, continuing from `hash`. */
function fnv1a(hash: bigint, bytes: Uint8Array): bigint {
  let h = hash;
  for (const byte of bytes) h = ((h ^ BigInt(byte)) * fnvPrime) & mask64;
  return h;
}

/** The entry with the highest rendezvous score for `clientIp` (the first on a tie); `pickable` is not empty. */
function highestRandomWeight<T>(pickable: readonly Entry<T>[], clientIp: string): Entry<T> {
  // FNV-1a is a stream hash: the IP's part is the same for every server.
  const prefix = fnv1a(fnvOffset, Buffer.from(clientIp));
  let chosen = pickable[0] as Entry<T>;
  let best = 0;
  for (const entry of pickable) {
    const score = entry.weight / -Math.log(Number(fnv1a(prefix, entry.keyBytes)) / 2 ** 64);
    if (score > best) {
      best = score;
      chosen = entry;
    }
  }
  return chosen;
}
