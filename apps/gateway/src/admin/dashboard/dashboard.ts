/**
 * The dashboard (`api.dashboard`): the front end at `/dashboard/`, and what it reads besides Traefik's API:
 * `/api/history` (the configuration loads) and, with Prometheus metrics on, `/api/live` (the live figures).
 */

import type { Registry } from 'prom-client';
import type { Handler } from '../../http/handler.ts';
import type { ConfigHistory } from './history.ts';
import { liveFeed } from './live-feed.ts';
import { LiveSampler } from './sampler.ts';
import { staticFiles } from './static-files.ts';

/** The dashboard's parts, for the internal routes. */
export interface Dashboard {
  /** Serves `/`, `/dashboard` and `/dashboard/...`. */
  readonly pages: Handler;
  /** Routes under `/api/` only this gateway has, by exact path. */
  readonly api: ReadonlyMap<string, Handler>;
  /** Ends the live streams (the gateway stops). */
  close(): void;
}

/** Builds the dashboard. Without a registry (no `metrics.prometheus`), there is no live feed. */
export function createDashboard(options: {
  readonly history: ConfigHistory;
  readonly registry: Registry | undefined;
}): Dashboard {
  const api = new Map<string, Handler>();
  api.set('/api/history', async (exchange) => {
    exchange.send(200, JSON.stringify(options.history.entries()), { 'content-type': 'application/json' });
  });
  const feed = options.registry ? liveFeed(new LiveSampler({ registry: options.registry })) : undefined;
  if (feed) api.set('/api/live', feed.handler);
  return {
    pages: staticFiles(),
    api,
    close: () => feed?.close(),
  };
}
