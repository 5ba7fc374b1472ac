/** `ping@internal` (Traefik's `/ping`): 200 `OK`, or the terminating status while the gateway shuts down. */

import type { Handler } from '../http/handler.ts';

/** Builds the ping handler. `terminating()` tells whether shutdown has begun. */
export function pingHandler(terminating: () => boolean, terminatingStatusCode = 503): Handler {
  return async (exchange) => {
    if (exchange.method !== 'GET' && exchange.method !== 'HEAD') {
      exchange.sendText(405, 'Method Not Allowed');
      return;
    }
    if (terminating()) exchange.sendText(terminatingStatusCode, 'Service Unavailable');
    else exchange.sendText(200, 'OK');
  };
}
