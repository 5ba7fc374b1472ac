// The live feed (/api/live, server-sent events): keeps the ticks of the window and tells the pages when a new
// one arrives. The gateway samples its metrics only while a feed like this one is open.

import { liveUrl } from './api.js';

/** @typedef {import('./types.js').LiveTick} LiveTick */
/** @typedef {import('./types.js').LiveSnapshot} LiveSnapshot */

export class LiveStore {
  /** @type {LiveTick[]} */
  ticks = [];
  /** @type {LiveTick | undefined} */
  last;
  intervalMs = 1000;
  windowMs = 600_000;
  recentMs = 10_000;
  connected = false;
  /** @type {Set<() => void>} */
  #listeners = new Set();
  /** @type {EventSource | undefined} */
  #source;

  /** Opens the feed (once). */
  open() {
    if (this.#source) return;
    const source = new EventSource(liveUrl);
    this.#source = source;
    source.addEventListener('snapshot', (event) => {
      /** @type {LiveSnapshot} */
      const snapshot = JSON.parse(/** @type {MessageEvent<string>} */ (event).data);
      this.intervalMs = snapshot.intervalMs;
      this.windowMs = snapshot.windowMs;
      this.recentMs = snapshot.recentMs;
      this.ticks = snapshot.ticks;
      this.last = snapshot.last;
      this.connected = true;
      this.#notify();
    });
    source.addEventListener('tick', (event) => {
      /** @type {LiveTick} */
      const tick = JSON.parse(/** @type {MessageEvent<string>} */ (event).data);
      this.ticks.push({ time: tick.time, points: tick.points, decisions: tick.decisions });
      const oldest = tick.time - this.windowMs;
      while ((this.ticks[0]?.time ?? oldest) < oldest) this.ticks.shift();
      this.last = tick;
      this.connected = true;
      this.#notify();
    });
    source.addEventListener('error', () => {
      // EventSource reconnects by itself (retry: 2s); the next snapshot replaces what is here.
      this.connected = false;
      this.#notify();
    });
  }

  /**
   * Calls `listener` after each change; returns the unsubscribe.
   * @param {() => void} listener
   */
  subscribe(listener) {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #notify() {
    for (const listener of this.#listeners) listener();
  }
}
