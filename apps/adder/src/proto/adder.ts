/**
 * The Adder proto, loaded once with @grpc/proto-loader and typed by hand: int64 fields travel as decimal
 * strings (`longs: String`), so no value is ever rounded through a JavaScript number.
 */

import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { protoPath as healthProtoPath } from 'grpc-health-check';

/** Where the `.proto` files live (the adder's, and the include root for other languages' tools). */
export const PROTO_ROOT = fileURLToPath(new URL('../../proto/', import.meta.url));

/** The adder's `.proto`. */
export const ADDER_PROTO = fileURLToPath(
  new URL('../../proto/gateway_pattern/adder/v1/adder.proto', import.meta.url),
);

/** The fully qualified service name, as health checks and reflection know it. */
export const ADDER_SERVICE = 'gateway_pattern.adder.v1.Adder';

/** `AddRequest`: int64 as a decimal string (or a number or bigint when sending). */
export interface AddRequest {
  x: string | number | bigint;
  y: string | number | bigint;
}

/** `AddResponse` as received: the sum as a decimal string. */
export interface AddResponse {
  sum: string;
}

/**
 * The adder's and the health service's definitions in one package definition, so server reflection can
 * describe both.
 */
export const packageDefinition = protoLoader.loadSync([ADDER_PROTO, healthProtoPath], {
  keepCase: true,
  longs: String,
  enums: String,
  defaults: true,
  oneofs: true,
  includeDirs: [PROTO_ROOT],
});

/** The `Adder` service definition for `server.addService`. */
export const adderService = packageDefinition[ADDER_SERVICE] as grpc.ServiceDefinition;

/** A typed client of the `Adder` service. */
export interface AdderClient extends grpc.Client {
  Add(
    request: AddRequest,
    metadata: grpc.Metadata,
    options: Partial<grpc.CallOptions>,
    callback: (error: grpc.ServiceError | null, response?: AddResponse) => void,
  ): grpc.ClientUnaryCall;
}

const AdderClientConstructor = grpc.makeGenericClientConstructor(adderService, 'Adder');

/** A client for the adder at `target` (`host:port`), over plaintext unless `credentials` say otherwise. */
export function createAdderClient(
  target: string,
  credentials: grpc.ChannelCredentials = grpc.credentials.createInsecure(),
  options: grpc.ChannelOptions = {},
): AdderClient {
  return new AdderClientConstructor(target, credentials, options) as unknown as AdderClient;
}
