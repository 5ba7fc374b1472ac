/**
 * `/api/live`: the sampler's figures as server-sent events. A new watcher gets a `snapshot` (the window so far),
 * then a `tick` per sample. Watching is what makes the sampler run; the last watcher leaving stops it.
 */

import type { ServerResponse } from 'node:http';
import type { Handler } from '../../http/handler.ts';
import type { LiveSampler } from './sampler.ts';

/** More watchers than this get 503: each costs a connection and a copy of every tick. */
const MAX_WATCHERS = 64;
/** A watcher that has not read this much is too slow to follow and is dropped. */
const MAX_BACKLOG = 1 << 20;

/** The feed's handler, and `close()` to end every stream (the gateway stops). */
export interface LiveFeed {
  readonly handler: Handler;
  close(): void;
}

/** Serves `sampler` as server-sent events. */
export function liveFeed(sampler: LiveSampler): LiveFeed {
  const streams = new Set<ServerResponse>();
  const handler: Handler = async (exchange) => {
    if (streams.size >= MAX_WATCHERS) {
      exchange.send(503, JSON.stringify({ message: 'too many live feed watchers' }), {
        'content-type': 'application/json',
      });
      return;
    }
    exchange.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      // A buffering proxy in front would hold the ticks back.
      'x-accel-buffering': 'no',
    });
    const res = exchange.res;
    if (exchange.method === 'HEAD') {
      res.end();
      return;
    }
    streams.add(res);
    res.write(`retry: 2000\n\n${event('snapshot', sampler.snapshot())}`);
    const unsubscribe = sampler.subscribe((tick) => {
      if (res.writableLength > MAX_BACKLOG) res.destroy();
      else res.write(event('tick', tick));
    });
    res.once('close', () => {
      streams.delete(res);
      unsubscribe();
    });
  };
  return {
    handler,
    close() {
      for (const res of streams) res.end();
      streams.clear();
      sampler.stop();
    },
  };
}

function event(name: string, data: unknown): string {
  // JSON has no raw newlines, so one data line carries it whole.
  return `event: ${name}\ndata: ${JSON.stringify(data)}\n\n`;
}
