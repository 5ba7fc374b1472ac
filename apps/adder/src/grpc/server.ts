/** The gRPC side of the adder: the Adder service, grpc.health.v1 and server reflection on one server. */

import * as grpc from '@grpc/grpc-js';
import { ReflectionService } from '@grpc/reflection';
import { HealthImplementation } from 'grpc-health-check';
import { addInt64, Int64Error, parseInt64 } from '../int64.ts';
import {
  ADDER_SERVICE,
  type AddRequest,
  type AddResponse,
  adderService,
  packageDefinition,
} from '../proto/adder.ts';

/** The server with its health service, whose statuses follow the adder's readiness. */
export interface GrpcAdder {
  readonly server: grpc.Server;
  readonly health: HealthImplementation;
}

const add: grpc.handleUnaryCall<AddRequest, AddResponse> = (call, callback) => {
  try {
    const x = parseInt64(String(call.request.x), 'x');
    const y = parseInt64(String(call.request.y), 'y');
    callback(null, { sum: addInt64(x, y).toString() });
  } catch (error) {
    if (error instanceof Int64Error) {
      callback({ code: grpc.status.INVALID_ARGUMENT, details: error.message });
    } else {
      callback({ code: grpc.status.INTERNAL, details: 'internal error' });
    }
  }
};

/**
 * Builds the gRPC server without binding it. Health starts `NOT_SERVING` for the whole server (`""`) and for
 * the Adder; the caller marks them `SERVING` once bound, and `NOT_SERVING` again when it starts draining.
 */
export function createGrpcAdder(): GrpcAdder {
  const server = new grpc.Server();
  server.addService(adderService, { Add: add });
  const health = new HealthImplementation({ '': 'NOT_SERVING', [ADDER_SERVICE]: 'NOT_SERVING' });
  health.addToServer(server);
  new ReflectionService(packageDefinition).addToServer(server);
  return { server, health };
}

/** Marks the server and the Adder serving or not, in grpc.health.v1. */
export function setServing(health: HealthImplementation, serving: boolean): void {
  const status = serving ? 'SERVING' : 'NOT_SERVING';
  health.setStatus('', status);
  health.setStatus(ADDER_SERVICE, status);
}

/** Binds `server` to `host:port` (port 0: any free port); resolves to the bound port. */
export function bindGrpc(server: grpc.Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const address = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
    server.bindAsync(address, grpc.ServerCredentials.createInsecure(), (error, bound) =>
      error ? reject(error) : resolve(bound),
    );
  });
}

/**
 * Stops accepting calls and lets in-flight ones finish; after `graceMs`, cancels what is left.
 */
export function drainGrpc(server: grpc.Server, graceMs: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      server.forceShutdown();
      resolve();
    }, graceMs);
    timer.unref();
    server.tryShutdown(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}
