/**
 * Passive health checks (Traefik v3.4+ `passiveHealthCheck`, `PassiveServiceHealthChecker`): a server whose
 * answers fail (no answer, or a 5xx) `maxFailedAttempts` times within `failureWindow` leaves the rotation; a
 * good answer clears its count. It comes back after `failureWindow`, or, when the service also has an active
 * `healthCheck`, when that check next finds it healthy.
 */

import type { PassiveHealthCheckConfig } from '../config/services-schema.ts';
import type { BackgroundTask } from './health-check.ts';

/** Failure counting for one loadBalancer's servers. */
export class PassiveHealthCheck implements BackgroundTask {
  readonly #config: PassiveHealthCheckConfig;
  readonly #hasActive: boolean;
  readonly #onStatus: (server: string, up: boolean) => void;
  readonly #failures = new Map<string, number[]>();
  /** Servers taken out, with the timer that puts them back (none when an active check does). */
  readonly #down = new Map<string, NodeJS.Timeout | undefined>();
  #running = true;

  constructor(
    config: PassiveHealthCheckConfig,
    hasActive: boolean,
    onStatus: (server: string, up: boolean) => void,
  ) {
    this.#config = config;
    this.#hasActive = hasActive;
    this.#onStatus = onStatus;
  }

  /** Records the outcome of one request to `server`. */
  record(server: string, ok: boolean): void {
    if (!this.#running) return;
    if (ok) {
      this.#failures.delete(server);
      return;
    }
    const now = Date.now();
    const windowStart = now - this.#config.failureWindow;
    const recent = (this.#failures.get(server) ?? []).filter((time) => time > windowStart);
    recent.push(now);
    this.#failures.set(server, recent);
    if (recent.length < this.#config.maxFailedAttempts || this.#down.has(server)) return;
    this.#onStatus(server, false);
    if (this.#hasActive) {
      // The active check brings it back; it may do so before this server fails again.
      this.#failures.delete(server);
      return;
    }
    const timer = setTimeout(() => {
      this.#down.delete(server);
      this.#failures.delete(server);
      this.#onStatus(server, true);
    }, this.#config.failureWindow);
    this.#down.set(server, timer);
  }

  /** Nothing to start: failures are counted as requests come. */
  start(): void {
    this.#running = true;
  }

  /** Clears the timers that would put servers back. */
  stop(): void {
    this.#running = false;
    for (const timer of this.#down.values()) if (timer !== undefined) clearTimeout(timer);
    this.#down.clear();
  }
}
