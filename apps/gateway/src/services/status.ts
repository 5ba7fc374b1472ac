/**
 * A service's health as the services above it see it (Traefik's `StatusUpdater`): up while at least one of its
 * servers or children can serve. Only services with a `healthCheck` track it; a change is pushed to the
 * listeners (weighted, failover and mirroring parents), which may change their own status in turn.
 */

/** Up or down, with listeners told of each change. */
export class ServiceStatus {
  #up = true;
  readonly #listeners: ((up: boolean) => void)[] = [];

  /** True while the service can serve. */
  get up(): boolean {
    return this.#up;
  }

  /** Sets the status; listeners hear of it only when it changes. */
  set(up: boolean): void {
    if (up === this.#up) return;
    this.#up = up;
    for (const listener of this.#listeners) listener(up);
  }

  /** Calls `listener` on every change from now on. */
  onChange(listener: (up: boolean) => void): void {
    this.#listeners.push(listener);
  }
}
