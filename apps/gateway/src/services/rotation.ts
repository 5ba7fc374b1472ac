/**
 * The members a balancer picks from (a loadBalancer's servers, a weighted service's services), each up or down.
 * Down members leave the weighted round robin, which is rebuilt on each change (rare, unlike picks); the
 * rotation's own status is up while one member with a weight is up.
 */

import { ServiceStatus } from './status.ts';
import { WeightedRoundRobin } from './wrr.ts';

/** One member and its key (a server URL, a service name). */
export interface Member<T> {
  readonly key: string;
  readonly item: T;
  readonly weight: number;
}

/** Weighted round robin over the members that are up. */
export class Rotation<T> {
  readonly #members: readonly Member<T>[];
  readonly #down = new Set<string>();
  #balancer: WeightedRoundRobin<T>;
  /** Up while a member that can be picked is up. */
  readonly status = new ServiceStatus();

  constructor(members: readonly Member<T>[]) {
    this.#members = members;
    this.#balancer = new WeightedRoundRobin(members);
  }

  /** The next member that is up, or undefined when none is. */
  next(): T | undefined {
    return this.#balancer.next();
  }

  /** The member under `key` if it is up. */
  upMember(key: string): T | undefined {
    if (this.#down.has(key)) return undefined;
    return this.#members.find((member) => member.key === key)?.item;
  }

  /** Marks a member up or down. */
  setUp(key: string, up: boolean): void {
    if (up ? !this.#down.delete(key) : this.#down.has(key)) return;
    if (!up) this.#down.add(key);
    this.#balancer = new WeightedRoundRobin(this.#members.filter((member) => !this.#down.has(member.key)));
    this.status.set(this.#balancer.size > 0);
  }
}
