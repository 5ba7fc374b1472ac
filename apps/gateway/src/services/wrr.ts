/**
 * Smooth weighted round robin (nginx's algorithm): deterministic, spreads picks evenly, and with equal weights
 * it is plain round robin in declaration order. Traefik uses EDF scheduling for the same result.
 */

interface Slot<T> {
  readonly item: T;
  readonly weight: number;
  current: number;
}

/** Picks items in proportion to their weights. Items with weight 0 are never picked. */
export class WeightedRoundRobin<T> {
  readonly #items: Slot<T>[];
  readonly #total: number;

  constructor(items: readonly { readonly item: T; readonly weight: number }[]) {
    this.#items = items.filter((i) => i.weight > 0).map((i) => ({ ...i, current: 0 }));
    this.#total = this.#items.reduce((sum, i) => sum + i.weight, 0);
  }

  /** The next item, or undefined when there is none to pick. */
  next(): T | undefined {
    if (this.#items.length <= 1) return this.#items[0]?.item;
    let best: Slot<T> | undefined;
    for (const entry of this.#items) {
      entry.current += entry.weight;
      if (best === undefined || entry.current > best.current) best = entry;
    }
    if (best === undefined) return undefined;
    best.current -= this.#total;
    return best.item;
  }

  /** Number of pickable items. */
  get size(): number {
    return this.#items.length;
  }
}
