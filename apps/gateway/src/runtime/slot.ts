/**
 * Holds the runtime that serves new requests and swaps it atomically on reload. A request keeps the runtime it
 * started with until it ends; when a replaced runtime has no request left, the pools that no live runtime uses
 * are closed.
 */

import type { PoolRegistry } from '../services/pools.ts';
import type { Runtime } from './build.ts';

interface Entry extends RuntimeLease {
  inFlight: number;
}

/** A runtime taken for one request; give it back with {@link RuntimeSlot.release} exactly once. */
export interface RuntimeLease {
  readonly runtime: Runtime;
}

/** The current runtime, and the replaced ones still serving requests. */
export class RuntimeSlot {
  #current: Entry;
  readonly #draining = new Set<Entry>();
  readonly #pools: PoolRegistry;

  constructor(initial: Runtime, pools: PoolRegistry) {
    this.#current = { runtime: initial, inFlight: 0 };
    this.#pools = pools;
    for (const task of initial.tasks) task.start();
  }

  /** The runtime new requests get. */
  get current(): Runtime {
    return this.#current.runtime;
  }

  /** Takes the current runtime for one request (no allocation: the lease is the slot's own entry). */
  acquire(): RuntimeLease {
    const entry = this.#current;
    entry.inFlight++;
    return entry;
  }

  /** Gives back a lease taken with {@link acquire}, once, when its request ends. */
  release(lease: RuntimeLease): void {
    const entry = lease as Entry;
    entry.inFlight--;
    if (entry.inFlight === 0 && this.#draining.delete(entry)) void this.#closeUnusedPools();
  }

  /** Makes `runtime` current. The old one drains; its pools close once nothing uses them. */
  swap(runtime: Runtime): void {
    const old = this.#current;
    // The old runtime's health checks stop now: requests still draining through it keep the last statuses.
    for (const task of old.runtime.tasks) task.stop();
    for (const task of runtime.tasks) task.start();
    this.#current = { runtime, inFlight: 0 };
    if (old.inFlight > 0) this.#draining.add(old);
    void this.#closeUnusedPools();
  }

  /** Stops the current runtime's health checks (the gateway is shutting down). */
  close(): void {
    for (const task of this.#current.runtime.tasks) task.stop();
  }

  async #closeUnusedPools(): Promise<void> {
    const inUse = new Set(this.#current.runtime.poolKeys);
    for (const entry of this.#draining) for (const key of entry.runtime.poolKeys) inUse.add(key);
    await this.#pools.closeUnused(inUse);
  }
}
