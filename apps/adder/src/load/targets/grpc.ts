/** The gRPC target: `Adder.Add` over `connections` channels, used round robin. */

import * as grpc from '@grpc/grpc-js';
import { type AdderClient, type AddRequest, createAdderClient } from '../../proto/adder.ts';
import type { Outcome } from '../stats.ts';
import type { Target } from './target.ts';

/** Options of {@link grpcTarget}. */
export interface GrpcTargetOptions {
  /** `host:port`. */
  target: string;
  /** Separate HTTP/2 connections to spread calls over. */
  connections: number;
  request: AddRequest;
  /** Per-call deadline, ms; 0: none. */
  timeoutMs: number;
  /** Extra metadata sent with every call. */
  metadata?: Readonly<Record<string, string>>;
}

const statusNames = Object.fromEntries(
  Object.entries(grpc.status).map(([name, code]) => [code, name]),
) as Record<number, string>;

/** A target that calls `Add` with the same request each time. */
export function grpcTarget(options: GrpcTargetOptions): Target {
  const clients: AdderClient[] = [];
  for (let i = 0; i < options.connections; i++) {
    // Without its own subchannel pool, every client would share one connection to the same target.
    clients.push(
      createAdderClient(options.target, grpc.credentials.createInsecure(), {
        'grpc.use_local_subchannel_pool': 1,
      }),
    );
  }
  const metadata = new grpc.Metadata();
  for (const [name, value] of Object.entries(options.metadata ?? {})) metadata.set(name, value);
  let next = 0;

  return {
    call() {
      const client = clients[next] as AdderClient;
      next = (next + 1) % clients.length;
      return new Promise<Outcome>((resolve) => {
        const callOptions = options.timeoutMs > 0 ? { deadline: Date.now() + options.timeoutMs } : {};
        client.Add(options.request, metadata, callOptions, (error) => {
          if (error === null) resolve({ status: 'OK', ok: true });
          else {
            const status = statusNames[error.code] ?? String(error.code);
            resolve({ status, ok: false, error: `${status}: ${error.details}` });
          }
        });
      });
    },
    async close() {
      for (const client of clients) client.close();
    },
  };
}
