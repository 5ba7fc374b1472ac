/**
 * `healthCheck.mode: grpc` (Traefik's `checkHealthGRPC`): the gRPC Health Checking Protocol's
 * `grpc.health.v1.Health/Check` with an empty request (the whole server), over cleartext HTTP/2 for `http` and
 * `h2c` servers and over TLS for `https` ones. Healthy is an OK call whose answer says SERVING; `path`,
 * `hostname` and `headers` do not apply, as in Traefik.
 */

import { connect } from 'node:http2';

/** The values of `grpc.health.v1.HealthCheckResponse.ServingStatus`. */
const servingStatuses = ['UNKNOWN', 'SERVING', 'NOT_SERVING', 'SERVICE_UNKNOWN'];
/** gRPC's UNIMPLEMENTED status code. */
const unimplemented = '12';

/**
 * Probes `target` (scheme, host and port; the path is ignored). Resolves to why the server is unhealthy, or
 * undefined; rejects on a transport error or when `signal` aborts (the checker's timeout, or its stop).
 */
export function probeGrpc(target: URL, signal: AbortSignal): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const session = connect(`${target.protocol === 'https:' ? 'https' : 'http'}://${target.host}`);
    let settled = false;
    const settle = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      session.destroy();
      outcome();
    };
    const onAbort = () => settle(() => reject(new Error('aborted')));
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort);
    session.on('error', (error) => settle(() => reject(error)));

    const stream = session.request({
      ':method': 'POST',
      ':path': '/grpc.health.v1.Health/Check',
      'content-type': 'application/grpc',
      te: 'trailers',
    });
    // One uncompressed message of length 0: HealthCheckRequest{service: ""}.
    stream.end(Buffer.alloc(5));
    const chunks: Buffer[] = [];
    let httpStatus = 0;
    let headerStatus: string | undefined;
    let trailerStatus: string | undefined;
    stream.on('response', (headers) => {
      httpStatus = Number(headers[':status']);
      headerStatus = firstOf(headers['grpc-status']);
    });
    stream.on('trailers', (trailers) => {
      trailerStatus = firstOf(trailers['grpc-status']);
    });
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('error', (error) => settle(() => reject(error)));
    stream.on('end', () =>
      settle(() => resolve(verdict(httpStatus, trailerStatus ?? headerStatus, Buffer.concat(chunks)))),
    );
  });
}

function verdict(httpStatus: number, grpcStatus: string | undefined, body: Buffer): string | undefined {
  if (httpStatus !== 200) return `received HTTP status ${httpStatus} instead of a gRPC answer`;
  if (grpcStatus === unimplemented) return 'gRPC server does not implement the health protocol';
  if (grpcStatus !== '0') return `gRPC health check failed with status ${grpcStatus ?? 'missing'}`;
  const status = servingStatus(body);
  return status === 1 ? undefined : `received gRPC status code: ${servingStatuses[status] ?? status}`;
}

/** Field 1 (a varint) of the first length-prefixed message; 0 (UNKNOWN) when absent, as protobuf defaults it. */
function servingStatus(body: Buffer): number {
  if (body.length < 5) return 0;
  const message = body.subarray(5, 5 + body.readUInt32BE(1));
  let offset = 0;
  const varint = (): number => {
    let value = 0;
    let shift = 0;
    while (offset < message.length) {
      const byte = message[offset++] ?? 0;
      value += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) return value;
      shift += 7;
    }
    return value;
  };
  while (offset < message.length) {
    const tag = varint();
    const wireType = tag & 7;
    if (tag >>> 3 === 1 && wireType === 0) return varint();
    // Skip any other field.
    if (wireType === 0) varint();
    else if (wireType === 2) offset += varint();
    else if (wireType === 1) offset += 8;
    else if (wireType === 5) offset += 4;
    else return 0;
  }
  return 0;
}

function firstOf(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
