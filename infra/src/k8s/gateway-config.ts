import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { GATEWAY_DIR } from './paths.ts';

/** A router of infra/gateway/dynamic, in Traefik's file-provider shape. */
export interface GatewayRouter {
  rule: string;
  entryPoints?: string[];
  middlewares?: string[];
  service: string;
  tls?: Record<string, unknown>;
}

/** The dynamic configuration's routers, middlewares and services, merged across files. */
export interface GatewayDynamicConfig {
  routers: Record<string, GatewayRouter>;
  middlewares: Record<string, Record<string, Record<string, unknown>>>;
  services: Record<string, { loadBalancer: { servers: { url: string }[] } }>;
}

const ENV_WITH_DEFAULT = /\{\{\s*env\s+"[A-Z0-9_]+"\s*\|\s*default\s+"([^"]*)"\s*\}\}/g;

/**
 * The value a `{{ env "NAME" | default "value" }}` template takes when NAME is unset, which is what the files say
 * when nothing overrides them. Any other template is refused, so nothing is compared half-rendered.
 */
export function withEnvDefaults(text: string): string {
  const rendered = text.replace(ENV_WITH_DEFAULT, (_match, fallback: string) => fallback);
  if (rendered.includes('{{')) throw new Error(`unsupported template in gateway config: ${text}`);
  return rendered;
}

function renderStrings(value: unknown): unknown {
  if (typeof value === 'string') return withEnvDefaults(value);
  if (Array.isArray(value)) return value.map(renderStrings);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, renderStrings(v)]));
  }
  return value;
}

/** Reads every `infra/gateway/dynamic/*.yml`, with templates at their defaults. */
export function loadGatewayDynamicConfig(dir: string = join(GATEWAY_DIR, 'dynamic')): GatewayDynamicConfig {
  const merged: GatewayDynamicConfig = { routers: {}, middlewares: {}, services: {} };
  for (const file of readdirSync(dir).filter((f) => /\.ya?ml$/.test(f))) {
    const doc = renderStrings(parse(readFileSync(join(dir, file), 'utf8'))) as {
      http?: Partial<GatewayDynamicConfig>;
    } | null;
    Object.assign(merged.routers, doc?.http?.routers);
    Object.assign(merged.middlewares, doc?.http?.middlewares);
    Object.assign(merged.services, doc?.http?.services);
  }
  return merged;
}
