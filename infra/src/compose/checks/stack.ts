/**
 * What the consistency tests compare compose.yaml with: each app's own environment schema (the variables it reads,
 * with their defaults), the variables its configuration templates read (the gateway's dynamic files, identity's
 * directory), the gateway's entrypoints, and the dynamic configuration as a given container's environment renders it.
 */

import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { EnvSchema as adderEnv } from '@gateway-pattern/adder/src/config.ts';
import { EnvSchema as forwardAuthEnv } from '@gateway-pattern/forward-auth/src/config.ts';
import { FileProvider } from '@gateway-pattern/gateway/src/providers/file.ts';
import { EnvSchema as identityEnv } from '@gateway-pattern/identity/src/config.ts';
import { EnvSchema as modelServiceEnv } from '@gateway-pattern/model-service/src/config.ts';
import { EnvSchema as pybackendEnv } from '@gateway-pattern/pybackend-ts/src/config.ts';
import { parse } from 'yaml';
import type { ContainerPlan } from '../container.ts';
import { REPO_ROOT } from '../paths.ts';

/** infra/gateway: the gateway's (and the traefik profile's) configuration. */
export const GATEWAY_DIR = join(REPO_ROOT, 'infra', 'gateway');

/** infra/identity/identity.yml: the identity provider's directory (a Go template like the dynamic files). */
export const IDENTITY_DIRECTORY = join(REPO_ROOT, 'infra', 'identity', 'identity.yml');

type EnvSchema = { properties: Record<string, object> };

/** The environment schema of each app that reads one, by Dockerfile stage (the app a container runs). */
export const APP_ENV: Readonly<Record<string, EnvSchema>> = {
  adder: adderEnv,
  'forward-auth': forwardAuthEnv,
  identity: identityEnv,
  'model-service': modelServiceEnv,
  'pybackend-ts': pybackendEnv,
};

/** The environment schema of the app a service runs (none for the gateway, whose files say what it reads). */
export const appEnv = (plan: ContainerPlan): EnvSchema | undefined =>
  APP_ENV[plan.service.build?.target ?? ''];

/** The variables `{{ env "NAME" }}` reads in a text. */
function templateVariables(text: string): string[] {
  return [...text.matchAll(/\{\{[^}]*\benv\s+"([A-Za-z_][A-Za-z0-9_]*)"/g)].map((m) => m[1] as string);
}

/** The variables `{{ env "NAME" }}` reads in infra/gateway/dynamic. */
export async function dynamicFileVariables(): Promise<Set<string>> {
  const dir = join(GATEWAY_DIR, 'dynamic');
  const names = new Set<string>();
  for (const file of await readdir(dir)) {
    for (const name of templateVariables(await readFile(join(dir, file), 'utf8'))) names.add(name);
  }
  return names;
}

/** The variables `{{ env "NAME" }}` reads in identity's directory, infra/identity/identity.yml. */
export async function identityDirectoryVariables(): Promise<Set<string>> {
  return new Set(templateVariables(await readFile(IDENTITY_DIRECTORY, 'utf8')));
}

/**
 * The gateway's entrypoint addresses (name → `host:port`, host empty for every interface), from
 * infra/gateway/gateway.yml, with the `GATEWAY_ENTRYPOINTS_<NAME>_ADDRESS` variables of `env` over them.
 */
export async function gatewayAddresses(
  env: Readonly<Record<string, string>> = {},
): Promise<Record<string, string>> {
  const config = parse(await readFile(join(GATEWAY_DIR, 'gateway.yml'), 'utf8')) as {
    entryPoints: Record<string, { address: string }>;
  };
  return Object.fromEntries(
    Object.entries(config.entryPoints).map(([name, { address }]) => [
      name,
      env[`GATEWAY_ENTRYPOINTS_${name.toUpperCase()}_ADDRESS`] ?? address,
    ]),
  );
}

/** The gateway's entrypoints (name → port), from infra/gateway/gateway.yml. */
export async function gatewayEntryPoints(): Promise<Record<string, number>> {
  return Object.fromEntries(
    Object.entries(await gatewayAddresses()).map(([name, address]) => [
      name,
      Number(/:(\d+)$/.exec(address)?.[1]),
    ]),
  );
}

/** The ports a container's app listens on: its `*PORT` variables (or their defaults); the gateway's entrypoints. */
export async function listeningPorts(plan: ContainerPlan): Promise<number[]> {
  const schema = appEnv(plan);
  if (schema === undefined) return Object.values(await gatewayEntryPoints());
  return Object.entries(schema.properties)
    .filter(([name]) => name.endsWith('PORT'))
    .map(([name, property]) => Number(plan.env[name] ?? (property as { default?: unknown }).default));
}

/** Routers, middlewares and services of infra/gateway/dynamic as a process with `env` reads them. */
export async function dynamicConfig(env: Readonly<Record<string, string>>): Promise<{
  routers: Record<string, Record<string, unknown>>;
  middlewares: Record<string, Record<string, unknown>>;
  services: Record<string, Record<string, unknown>>;
}> {
  const { config } = await new FileProvider({
    directory: join(GATEWAY_DIR, 'dynamic'),
    env,
    throttleMs: 0,
  }).load();
  const raw = (map: ReadonlyMap<string, { raw: unknown }>) =>
    Object.fromEntries([...map].map(([name, resource]) => [name, resource.raw as Record<string, unknown>]));
  return {
    routers: raw(config.routers),
    middlewares: raw(config.middlewares),
    services: raw(config.services),
  };
}
