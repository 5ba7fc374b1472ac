import { createService, registerOpenApi, type Service } from '@gateway-pattern/service-kit';
import packageJson from '../package.json' with { type: 'json' };
import { SERVICE_NAME } from './config.ts';
import { createGrpcAdder, drainGrpc, type GrpcAdder, setServing } from './grpc/server.ts';
import { addRoutes } from './routes/add.ts';
import { healthRoutes } from './routes/health.ts';

/** Options of {@link buildApp}. */
export interface AppOptions {
  /** Pino level, or `false` to silence logs (tests). */
  logLevel: string | false;
  /** How long in-flight gRPC calls may run on shutdown before they are cancelled. Default 5 s. */
  grpcGraceMs?: number;
}

/** The adder's two servers, built but not listening. Closing `http` drains and stops `grpc` too. */
export interface Adder {
  readonly http: Service;
  readonly grpc: GrpcAdder;
  /** Call once both servers listen: `/readyz` and grpc.health.v1 then say serving. */
  markReady(): void;
}

/** Builds the adder's HTTP and gRPC servers without listening. */
export function buildApp(options: AppOptions): Adder {
  const http = createService({ name: SERVICE_NAME, logLevel: options.logLevel });
  const grpc = createGrpcAdder();
  let ready = false;

  registerOpenApi(http, {
    title: 'Adder API',
    version: packageJson.version,
    description:
      'The HTTP side of the adder (its gRPC service, `gateway_pattern.adder.v1.Adder`, is on its own port). The ' +
      'gateway routes `/add/` to it after checking a client-credentials JWT, and tells it the calling client in ' +
      'the `client` header.',
  });
  http.register(addRoutes);
  http.register(healthRoutes, { isReady: () => ready });
  // Health turns NOT_SERVING first, so load balancers stop sending calls while in-flight ones finish.
  http.addHook('preClose', async () => {
    ready = false;
    setServing(grpc.health, false);
  });
  http.addHook('onClose', async () => {
    await drainGrpc(grpc.server, options.grpcGraceMs ?? 5000);
  });

  return {
    http,
    grpc,
    markReady() {
      ready = true;
      setServing(grpc.health, true);
    },
  };
}
