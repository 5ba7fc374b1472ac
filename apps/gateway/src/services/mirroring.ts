/**
 * The `mirroring` service (Traefik's `mirror.go`): the main service answers the client; once it has, each
 * mirror whose `percent` is due gets a copy of the request, answer discarded and failures ignored, so mirrors
 * never change the client's answer or its latency. Percentages are kept exactly over the requests seen (a
 * mirror at 10 gets request 1, 11, 21…). With `mirrorBody` (default) the body is read into memory first and
 * copied; a body longer than `maxBodySize` (-1: no limit) is not mirrored but still sent to the main service.
 */

import type { MirroringConfig } from '../config/services-schema.ts';
import type { Exchange } from '../http/exchange.ts';
import { copyHeaderMap, type HeaderMap } from '../http/headers.ts';
import { type ForwardOptions, requestHeaders, type Upstream, upstreamPath } from '../proxy/forward.ts';
import type { ServiceNode } from './node.ts';

/** A copy of a request as the mirroring service got it. */
export interface ShadowRequest {
  readonly method: string;
  readonly host: string;
  readonly path: string;
  readonly rawQuery: string;
  readonly headers: HeaderMap;
  readonly remoteAddr: string;
  /** Undefined: sent without a body. */
  readonly body: Buffer | undefined;
}

/** A mirror and how often it gets a copy. */
export interface Mirror {
  readonly node: ServiceNode;
  readonly percent: number;
}

/** Builds a mirroring service over its main service and mirrors. */
export function mirroring(
  config: MirroringConfig,
  main: ServiceNode,
  mirrors: readonly Mirror[],
): ServiceNode {
  let total = 0;
  const counts = mirrors.map(() => 0);
  const due = (): Mirror[] => {
    total++;
    const out: Mirror[] = [];
    mirrors.forEach((mirror, index) => {
      const count = counts[index] ?? 0;
      if (count * 100 < total * mirror.percent) {
        counts[index] = count + 1;
        out.push(mirror);
      }
    });
    return out;
  };

  const handle = async (exchange: Exchange): Promise<void> => {
    const active = due();
    if (active.length === 0) return main.handle(exchange);
    let body: Buffer | undefined;
    if (config.mirrorBody && hasBody(exchange)) {
      if (!fitsLimit(exchange, config.maxBodySize)) return main.handle(exchange);
      try {
        body = await exchange.readBody(-1);
      } catch {
        // The client went away while sending: nothing to answer, nothing to mirror.
        exchange.res.destroy();
        return;
      }
    }
    const copy = snapshot(exchange, body);
    await main.handle(exchange);
    if (exchange.clientGone) return;
    for (const mirror of active) mirror.node.shadow?.(copy);
  };

  return {
    handle,
    status: config.healthCheck === undefined ? undefined : main.status,
    shadow: main.shadow,
  };
}

/**
 * Sends a copy to one server of a loadBalancer; the answer is read and dropped, any failure ignored. `signal`
 * aborts it when the runtime is replaced or the gateway stops, so a mirror that never answers holds no pool open.
 */
export function sendShadow(
  request: ShadowRequest,
  upstream: Upstream,
  options: ForwardOptions,
  signal: AbortSignal,
): void {
  if (signal.aborted) return;
  const headers = requestHeaders(request, upstream, options);
  if (request.body === undefined) {
    delete headers['content-length'];
    delete headers['transfer-encoding'];
  } else {
    delete headers['transfer-encoding'];
    headers['content-length'] = String(request.body.length);
  }
  upstream.pool
    .request({
      method: request.method as 'GET',
      path: upstreamPath(request, upstream),
      headers,
      body: request.body ?? null,
      signal,
    })
    .then(
      (response) => response.body.dump(),
      () => {},
    )
    .catch(() => {});
}

/**
 * Whether the body can be read for mirroring. A chunked body of unknown length is not read under a limit: what
 * was read of it could not be given back to the main service.
 */
function fitsLimit(exchange: Exchange, limit: number): boolean {
  if (limit < 0) return true;
  if (exchange.headers['transfer-encoding'] !== undefined) return false;
  return Number(exchange.headers['content-length']?.[0] ?? 0) <= limit;
}

function snapshot(exchange: Exchange, body: Buffer | undefined): ShadowRequest {
  return {
    method: exchange.method,
    host: exchange.host,
    path: exchange.path,
    rawQuery: exchange.rawQuery,
    headers: copyHeaderMap(exchange.headers),
    remoteAddr: exchange.remoteAddr,
    body,
  };
}

function hasBody(exchange: Exchange): boolean {
  const headers = exchange.headers;
  return headers['transfer-encoding'] !== undefined || Number(headers['content-length']?.[0] ?? 0) > 0;
}
