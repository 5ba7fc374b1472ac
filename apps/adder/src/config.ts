import { LogLevel, loadEnv } from '@gateway-pattern/service-kit';
import { type Static, Type } from 'typebox';

/** Service name used in logs and start-up errors. */
export const SERVICE_NAME = 'adder';

const Port = (port: number) => Type.Integer({ minimum: 0, maximum: 65535, default: port });

/** Environment variables of the adder, with their defaults. */
export const EnvSchema = Type.Object({
  HOST: Type.String({ minLength: 1, default: '127.0.0.1' }),
  /** HTTP: `/add/{x}/{y}`, `/healthz`, `/readyz`. */
  HTTP_PORT: Port(8103),
  /** gRPC: the Adder, grpc.health.v1 and reflection. */
  GRPC_PORT: Port(50051),
  LOG_LEVEL: LogLevel,
  /** How long in-flight gRPC calls may take to finish on shutdown before they are cancelled. */
  SHUTDOWN_GRACE_MS: Type.Integer({ minimum: 0, maximum: 600_000, default: 5000 }),
});

/** The validated environment. */
export type AdderConfig = Static<typeof EnvSchema>;

/** Reads and validates the environment; throws `EnvError` naming every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AdderConfig {
  return loadEnv(SERVICE_NAME, EnvSchema, env);
}
