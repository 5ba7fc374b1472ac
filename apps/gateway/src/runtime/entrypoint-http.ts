/**
 * `entryPoints.<name>.http.redirections.entryPoint` and `entryPoints.<name>.http.middlewares`, as Traefik v3 turns
 * them into dynamic configuration: a redirection is a router of the internal provider on that entrypoint
 * (`<from>-to-<to>@internal`, rule ``HostRegexp(`^.+$`)``, service `noop@internal`, the configured priority) with
 * a redirectScheme middleware (`redirect-<from>-to-<to>@internal`); entrypoint middlewares go before the
 * middlewares of every router on that entrypoint, and a router on several entrypoints, some with middlewares, is
 * split as Traefik's models split it: `<entrypoint>-<router>` for each of those, the original name for the rest.
 */

import { parseAddress } from '../config/address.ts';
import type { DynamicConfig, RawResource } from '../config/dynamic-config.ts';
import type { EntryPointConfig } from '../config/static.ts';

/** One entrypoint's redirection, its target port resolved. */
export interface EntryPointRedirection {
  /** The entrypoint name or `:port` as configured (it names the router). */
  readonly to: string;
  readonly scheme: string;
  /** The port of the target entrypoint's address (or of `:port`). */
  readonly port: string;
  readonly permanent: boolean;
  readonly priority: number;
}

/** The entrypoint-level HTTP options of every entrypoint that has some. */
export interface EntryPointHttp {
  /** `http.middlewares` by entrypoint (non-empty lists only). */
  readonly middlewares: ReadonlyMap<string, readonly string[]>;
  readonly redirections: ReadonlyMap<string, EntryPointRedirection>;
}

/** What the generated resources say they came from (the API's `source`). */
const staticSource = 'static configuration';

/** Reads the options of a validated static configuration's entrypoints. */
export function entryPointHttp(entryPoints: Readonly<Record<string, EntryPointConfig>>): EntryPointHttp {
  const middlewares = new Map<string, readonly string[]>();
  const redirections = new Map<string, EntryPointRedirection>();
  for (const [name, entryPoint] of Object.entries(entryPoints)) {
    const list = entryPoint.http?.middlewares ?? [];
    if (list.length > 0) middlewares.set(name, list);
    const redirect = entryPoint.http?.redirections?.entryPoint;
    if (redirect === undefined) continue;
    redirections.set(name, { ...redirect, port: redirectPort(redirect.to, entryPoints) });
  }
  return { middlewares, redirections };
}

/** Traefik's getRedirectPort: `:443` is a port; anything else names an entrypoint (static.ts checked it exists). */
function redirectPort(to: string, entryPoints: Readonly<Record<string, EntryPointConfig>>): string {
  if (/^:\d+$/.test(to)) return to.slice(1);
  const address = parseAddress(entryPoints[to]?.address ?? '');
  return typeof address === 'string' ? '' : String(address.port);
}

/** The dynamic configuration with the redirection routers added and entrypoint middlewares applied. */
export function applyEntryPointHttp(
  config: DynamicConfig,
  http: EntryPointHttp | undefined,
  defaultEntryPoints: readonly string[],
): DynamicConfig {
  if (http === undefined || (http.middlewares.size === 0 && http.redirections.size === 0)) return config;
  const routers = new Map(config.routers);
  const middlewares = new Map(config.middlewares);
  for (const [from, redirect] of http.redirections) {
    const router = `${normalize(`${from}-to-${redirect.to}`)}@internal`;
    const middleware = `redirect-${router}`;
    routers.set(router, {
      source: staticSource,
      raw: {
        rule: 'HostRegexp(`^.+$`)',
        entryPoints: [from],
        middlewares: [middleware],
        service: 'noop@internal',
        priority: redirect.priority,
      },
    });
    const redirectScheme: Record<string, unknown> = {
      scheme: redirect.scheme,
      permanent: redirect.permanent,
    };
    if (redirect.port !== '') redirectScheme.port = redirect.port;
    middlewares.set(middleware, { source: staticSource, raw: { redirectScheme } });
  }
  return {
    ...config,
    routers:
      http.middlewares.size === 0 ? routers : withModels(routers, http.middlewares, defaultEntryPoints),
    middlewares,
  };
}

function withModels(
  routers: ReadonlyMap<string, RawResource>,
  models: ReadonlyMap<string, readonly string[]>,
  defaultEntryPoints: readonly string[],
): Map<string, RawResource> {
  const result = new Map<string, RawResource>();
  for (const [name, resource] of routers) {
    const raw = resource.raw;
    const fields =
      typeof raw === 'object' && raw !== null && !Array.isArray(raw)
        ? (raw as Record<string, unknown>)
        : undefined;
    const entryPointsKey = fields && findKey(fields, 'entryPoints');
    const middlewaresKey = fields && findKey(fields, 'middlewares');
    const entryPoints = entryPointsKey === undefined ? defaultEntryPoints : asList(fields?.[entryPointsKey]);
    const own = middlewaresKey === undefined ? [] : asList(fields?.[middlewaresKey]);
    // A router whose lists are malformed is left for validation to report.
    if (fields === undefined || entryPoints === undefined || entryPoints.length === 0 || own === undefined) {
      result.set(name, resource);
      continue;
    }
    const plain = entryPoints.filter((ep) => !models.has(ep));
    const split = entryPoints.length > 1;
    for (const ep of entryPoints.filter((ep) => models.has(ep))) {
      const copy: Record<string, unknown> = { ...without(fields, entryPointsKey, middlewaresKey) };
      copy.entryPoints = [ep];
      copy.middlewares = [...(models.get(ep) ?? []), ...own];
      result.set(split ? `${ep}-${name}` : name, { ...resource, raw: copy });
    }
    if (plain.length > 0) {
      const copy: Record<string, unknown> = { ...without(fields, entryPointsKey) };
      copy.entryPoints = plain;
      result.set(name, { ...resource, raw: copy });
    }
  }
  return result;
}

/** The key of a field as written (Traefik's keys are case-insensitive). */
function findKey(fields: object, key: string): string | undefined {
  const lower = key.toLowerCase();
  return Object.keys(fields).find((k) => k.toLowerCase() === lower);
}

function asList(value: unknown): string[] | undefined {
  if (typeof value === 'string') return value.split(',').map((item) => item.trim());
  if (Array.isArray(value) && value.every((item) => typeof item === 'string')) return value;
  return undefined;
}

function without(fields: object, ...keys: (string | undefined)[]): Record<string, unknown> {
  return Object.fromEntries(Object.entries(fields).filter(([key]) => !keys.includes(key)));
}

/** Traefik's provider.Normalize: split on what is not a letter, digit, dot or dash, joined with dashes. */
function normalize(name: string): string {
  return name
    .split(/[^\p{L}\p{N}.-]+/u)
    .filter((part) => part !== '')
    .join('-');
}
