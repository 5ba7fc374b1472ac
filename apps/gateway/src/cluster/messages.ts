/**
 * What the primary and its workers tell each other over the cluster's IPC channel (advanced serialization, so
 * the dynamic configuration's Maps travel as they are). prom-client's own messages (`prom-client:*`) share the
 * channel for the metrics of every worker.
 */

import type { LoadedConfig } from '../runtime/reloader.ts';
import type { PemCertificate } from '../tls/default-certificate.ts';

/** The environment variable that gives a worker its number, 1 to N; worker 1 serves the admin entrypoint. */
export const WORKER_INDEX_VARIABLE = 'GATEWAY_WORKER_INDEX';

/** Primary → worker. */
export type ToWorker =
  /** The answer to `gateway:hello`, before any configuration: what every worker serves alike. */
  | { readonly type: 'gateway:init'; readonly defaultCertificate: PemCertificate | undefined }
  /** A configuration the primary loaded: apply it. */
  | { readonly type: 'gateway:config'; readonly loaded: LoadedConfig }
  /** The answer to a `gateway:metrics?`: every worker's metrics, summed. */
  | {
      readonly type: 'gateway:metrics';
      readonly id: number;
      readonly body?: string;
      readonly contentType?: string;
      readonly error?: string;
    }
  /** Whoever read the primary's stdout is gone: stop writing to it (logger.ts `abandonStdout`). */
  | { readonly type: 'gateway:abandon-stdout' };

/** Worker → primary. */
export type ToPrimary =
  /** The worker listens for messages now (sooner, they would be lost): send it `init`, then the configuration. */
  | { readonly type: 'gateway:hello' }
  /** Every entrypoint of the worker listens. */
  | { readonly type: 'gateway:listening' }
  /** Asks for every worker's metrics, summed (the worker serving `/metrics`). */
  | { readonly type: 'gateway:metrics?'; readonly id: number };

/** True for a message of ours (prom-client's and Node's own also arrive on the channel). */
export function isGatewayMessage<T extends { type: string }>(message: unknown): message is T {
  return (
    typeof message === 'object' &&
    message !== null &&
    typeof (message as { type?: unknown }).type === 'string' &&
    (message as { type: string }).type.startsWith('gateway:')
  );
}
