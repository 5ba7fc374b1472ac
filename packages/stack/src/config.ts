import { fileURLToPath } from 'node:url';
import { loadEnv } from '@gateway-pattern/service-kit';
import { type Static, Type } from 'typebox';
import { freePorts } from './free-ports.ts';

const Port = (port: number) => Type.Integer({ minimum: 1, maximum: 65535, default: port });

/** Ports of the local stack (DESIGN.md, Ports), each overridable by an environment variable. */
export const StackEnv = Type.Object({
  GATEWAY_WEB_PORT: Port(8000),
  GATEWAY_WEBSECURE_PORT: Port(8443),
  GATEWAY_ADMIN_PORT: Port(8080),
  FORWARD_AUTH_PORT: Port(4181),
  IDENTITY_PORT: Port(4444),
  PYBACKEND_PORT: Port(8101),
  MODEL_SERVICE_PORT: Port(8102),
  ADDER_HTTP_PORT: Port(8103),
  ADDER_GRPC_PORT: Port(50051),
  /** Demo credential of the local profile; set it empty to run the stack without it. */
  STATIC_TOKENS: Type.String({ default: 'foobar:demo' }),
  LOG_LEVEL: Type.String({ default: 'info' }),
});

/** The local stack's settings. */
export type StackConfig = Static<typeof StackEnv>;

/** Reads the stack's settings from the environment (defaults: the ports of DESIGN.md). */
export function loadStackConfig(env: NodeJS.ProcessEnv = process.env): StackConfig {
  return loadEnv('stack', StackEnv, env);
}

/** The repository root, found from this file so the launcher works from any cwd. */
export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

/** The port variables of {@link StackEnv}, in a fixed order. */
export const PORT_VARIABLES = [
  'GATEWAY_WEB_PORT',
  'GATEWAY_WEBSECURE_PORT',
  'GATEWAY_ADMIN_PORT',
  'FORWARD_AUTH_PORT',
  'IDENTITY_PORT',
  'PYBACKEND_PORT',
  'MODEL_SERVICE_PORT',
  'ADDER_HTTP_PORT',
  'ADDER_GRPC_PORT',
] as const;

/**
 * A stack configuration on free ports (tests, benchmarks), so it never collides with a stack already running
 * on the defaults. `env` adds or overrides other variables.
 */
export async function freeStackConfig(env: NodeJS.ProcessEnv = {}): Promise<StackConfig> {
  const ports = await freePorts(PORT_VARIABLES.length);
  const vars: NodeJS.ProcessEnv = { LOG_LEVEL: 'warn', ...env };
  for (const [i, name] of PORT_VARIABLES.entries()) vars[name] = String(ports[i]);
  return loadStackConfig(vars);
}

/** A port variable of the stack with its value. */
export interface PortSetting {
  variable: (typeof PORT_VARIABLES)[number];
  port: number;
}

/** The ports a stack configuration listens on, named by their variables. */
export function stackPorts(config: StackConfig): PortSetting[] {
  return PORT_VARIABLES.map((variable) => ({ variable, port: config[variable] }));
}
