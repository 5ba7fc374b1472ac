/** Test helper: a real adder (HTTP and gRPC) on free ports, and a client for it. */

import * as grpc from '@grpc/grpc-js';
import { type Adder, buildApp } from '../app.ts';
import { bindGrpc } from '../grpc/server.ts';
import { type AdderClient, type AddResponse, createAdderClient } from '../proto/adder.ts';

/** A started adder and a gRPC client connected to it. */
export interface RunningAdder {
  readonly adder: Adder;
  readonly grpcTarget: string;
  readonly httpUrl: string;
  readonly client: AdderClient;
  /** Calls Add; rejects with the gRPC ServiceError. */
  add(x: string | number | bigint, y: string | number | bigint): Promise<AddResponse>;
  close(): Promise<void>;
}

/** Starts an adder on 127.0.0.1, free ports, ready. */
export async function startAdder(options: { grpcGraceMs?: number } = {}): Promise<RunningAdder> {
  const adder = buildApp({ logLevel: false, grpcGraceMs: options.grpcGraceMs });
  const grpcPort = await bindGrpc(adder.grpc.server, '127.0.0.1', 0);
  const httpUrl = await adder.http.listen({ host: '127.0.0.1', port: 0 });
  adder.markReady();
  const grpcTarget = `127.0.0.1:${grpcPort}`;
  const client = createAdderClient(grpcTarget);
  return {
    adder,
    grpcTarget,
    httpUrl,
    client,
    add: (x, y) =>
      new Promise((resolve, reject) => {
        client.Add({ x, y }, new grpc.Metadata(), {}, (error, response) =>
          error ? reject(error) : resolve(response as AddResponse),
        );
      }),
    async close() {
      client.close();
      await adder.http.close();
    },
  };
}
