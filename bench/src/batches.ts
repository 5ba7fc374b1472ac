/**
 * Which targets are loaded in the same rounds. Consecutive scenarios that name the same `together` group are
 * measured as one rotation (rounds.ts `rotate`) over every distinct target they name, each target once: two
 * rows that share a contender (the same gateway path against two nginx configurations, or two gateway setups
 * against the seed's stack) are then compared with the very same series of it, taken in the same minutes.
 */
import type { Target } from './rounds.ts';

/** What batching needs of a scenario. */
export interface Pairing {
  readonly gateway: Target;
  readonly peer: Target;
  readonly together?: string;
}

/** Scenarios measured together, their distinct targets, and where each scenario's two sides are among them. */
export interface Batch<S extends Pairing> {
  readonly scenarios: readonly S[];
  readonly targets: readonly Target[];
  /** Per scenario, the index in `targets` of its gateway side and of its peer side. */
  readonly sides: readonly (readonly [number, number])[];
}

const keyOf = (target: Target) => `${target.url} ${JSON.stringify(target.headers)}`;

/** Groups consecutive scenarios of the same `together` group; a scenario without one is a batch of its own. */
export function batches<S extends Pairing>(scenarios: readonly S[]): Batch<S>[] {
  const groups: S[][] = [];
  for (const scenario of scenarios) {
    const last = groups.at(-1);
    const group = last?.[0]?.together;
    if (last !== undefined && group !== undefined && scenario.together === group) last.push(scenario);
    else groups.push([scenario]);
  }
  return groups.map((group) => {
    const targets: Target[] = [];
    const indexOf = (target: Target) => {
      const key = keyOf(target);
      const found = targets.findIndex((t) => keyOf(t) === key);
      if (found >= 0) return found;
      targets.push(target);
      return targets.length - 1;
    };
    const sides = group.map((s) => [indexOf(s.gateway), indexOf(s.peer)] as const);
    return { scenarios: group, targets, sides };
  });
}
