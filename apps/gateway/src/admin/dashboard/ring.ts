/** A fixed-capacity ring of timed entries: the sampler's sliding window, bounded in count and in age. */

/** An entry of the ring. */
export interface Timed {
  /** Milliseconds since the epoch. */
  readonly time: number;
}

/** Oldest first; pushing past the capacity or evicting by age hands the dropped entries back. */
export class Ring<T extends Timed> {
  readonly #slots: (T | undefined)[];
  #start = 0;
  #size = 0;

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1)
      throw new RangeError('capacity must be a positive integer');
    this.#slots = new Array<T | undefined>(capacity).fill(undefined);
  }

  get size(): number {
    return this.#size;
  }

  get capacity(): number {
    return this.#slots.length;
  }

  /** Appends `entry`; returns the entry it displaced when the ring was full. */
  push(entry: T): T | undefined {
    const capacity = this.#slots.length;
    if (this.#size < capacity) {
      this.#slots[(this.#start + this.#size) % capacity] = entry;
      this.#size++;
      return undefined;
    }
    const dropped = this.#slots[this.#start];
    this.#slots[this.#start] = entry;
    this.#start = (this.#start + 1) % capacity;
    return dropped;
  }

  /** Removes and returns the entries older than `time`, oldest first. */
  evictBefore(time: number): T[] {
    const dropped: T[] = [];
    while (this.#size > 0) {
      const oldest = this.#slots[this.#start] as T;
      if (oldest.time >= time) break;
      dropped.push(oldest);
      this.#slots[this.#start] = undefined;
      this.#start = (this.#start + 1) % this.#slots.length;
      this.#size--;
    }
    return dropped;
  }

  /** The newest `count` entries (all by default), oldest first. */
  last(count = this.#size): T[] {
    const n = Math.min(count, this.#size);
    const out: T[] = [];
    for (let i = this.#size - n; i < this.#size; i++) {
      out.push(this.#slots[(this.#start + i) % this.#slots.length] as T);
    }
    return out;
  }
}
