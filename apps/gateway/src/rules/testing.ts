/** Test helper: a routing request from a few fields, with defaults for the rest. */

import { type RequestParts, routingRequestFrom } from './request.ts';
import type { RoutingRequest } from './types.ts';

/** A routing request for `GET http://example.com/` from 192.0.2.10, with `parts` overriding. */
export function requestOf(parts: Partial<RequestParts> = {}): RoutingRequest {
  return routingRequestFrom({
    method: 'GET',
    host: 'example.com',
    path: '/',
    rawQuery: '',
    remoteAddr: '192.0.2.10',
    headers: {},
    ...parts,
  });
}
