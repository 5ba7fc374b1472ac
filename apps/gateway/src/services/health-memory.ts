/**
 * What the health checks knew before a reload. Traefik rebuilds every load balancer on a reload with all
 * servers UP and probes them again one interval later, so a server that was DOWN gets traffic again until then
 * (traefik/traefik#13218). Here a reload keeps each server's last status and the time its next probe was due,
 * as long as its service keeps the same name and the same `healthCheck`.
 */

/** A server's last known health and when it is next probed (`Date.now()` time). */
export interface ServerHealth {
  readonly up: boolean;
  readonly due: number;
}

/** The remembered health of one service's servers. */
export interface ServiceHealthMemory {
  get(server: string): ServerHealth | undefined;
  set(server: string, health: ServerHealth): void;
}

/** Health kept across builds; entries of services no longer checked are dropped by {@link retainUsed}. */
export class HealthMemory {
  readonly #entries = new Map<string, ServerHealth>();
  readonly #used = new Set<string>();

  /** The memory of one service's checks: a changed `healthCheck` starts afresh. */
  scope(service: string, healthCheck: unknown): ServiceHealthMemory {
    const prefix = `${service}\n${JSON.stringify(healthCheck)}\n`;
    return {
      get: (server) => {
        this.#used.add(prefix + server);
        return this.#entries.get(prefix + server);
      },
      set: (server, health) => {
        this.#used.add(prefix + server);
        this.#entries.set(prefix + server, health);
      },
    };
  }

  /** Forgets every server no build asked about since the last call (call once per build). */
  retainUsed(): void {
    for (const key of this.#entries.keys()) if (!this.#used.has(key)) this.#entries.delete(key);
    this.#used.clear();
  }

  /** Number of servers remembered (for tests). */
  get size(): number {
    return this.#entries.size;
  }
}
