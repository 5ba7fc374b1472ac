/**
 * The router table of one entrypoint: routes sorted by priority (highest first), the first whose rule matches
 * serves the request (Traefik §1.6). Ties are broken by name so the order is reproducible (Traefik leaves it
 * undefined).
 */

import type { Handler } from '../http/handler.ts';
import type { Matcher, RoutingRequest } from '../rules/types.ts';

/** One enabled router, compiled. */
export interface Route {
  /** Qualified name, `name@file`. */
  readonly name: string;
  readonly priority: number;
  readonly matches: Matcher;
  /** The router's middlewares wrapped around its service. */
  readonly handler: Handler;
}

/** Routes of one entrypoint, in matching order. */
export class Muxer {
  readonly #routes: readonly Route[];

  constructor(routes: readonly Route[]) {
    this.#routes = [...routes].sort((a, b) =>
      a.priority !== b.priority ? b.priority - a.priority : a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
    );
  }

  /** The first route that matches, or undefined (→ 404). */
  match(request: RoutingRequest): Route | undefined {
    for (const route of this.#routes) if (route.matches(request)) return route;
    return undefined;
  }

  /** The routes in matching order. */
  get routes(): readonly Route[] {
    return this.#routes;
  }
}
