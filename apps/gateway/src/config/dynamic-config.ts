/**
 * The dynamic configuration as a provider hands it over: raw resources by name, each remembering the file it
 * came from. Validation happens later, per resource, in `runtime/build.ts`.
 */

/** One resource definition (router, service, middleware, servers transport) before validation. */
export interface RawResource {
  /** The raw value from the file, after templating. */
  readonly raw: unknown;
  /** The file it was defined in. */
  readonly source: string;
}

/** The kinds of HTTP resources a dynamic configuration holds, as named under `http:`. */
export const resourceKinds = ['routers', 'services', 'middlewares', 'serversTransports'] as const;

/** One of {@link resourceKinds}. */
export type ResourceKind = (typeof resourceKinds)[number];

/** The `tls` section: certificates (`tls.certificates`) and the default one (`tls.stores.default`). */
export interface TlsSection {
  /** Each `{certFile, keyFile}` entry, in merge order. */
  readonly certificates: RawResource[];
  /** `tls.stores.default.defaultCertificate`; the first file that gives one wins. */
  defaultCertificate: RawResource | undefined;
  /** `tls.options`, by unqualified name (built in `tls/options.ts`). */
  readonly options: Map<string, RawResource>;
}

/** The merged HTTP configuration of one provider, by unqualified resource name, and its TLS certificates. */
export type DynamicConfig = { readonly [K in ResourceKind]: Map<string, RawResource> } & {
  readonly tls: TlsSection;
};

/** An empty dynamic configuration. */
export function emptyDynamicConfig(): DynamicConfig {
  return {
    routers: new Map(),
    services: new Map(),
    middlewares: new Map(),
    serversTransports: new Map(),
    tls: { certificates: [], defaultCertificate: undefined, options: new Map() },
  };
}

/** A stable text form of the configuration's content (not its sources), to skip reloads that change nothing. */
export function fingerprint(config: DynamicConfig): string {
  return JSON.stringify([
    resourceKinds.map((kind) => [...config[kind]].map(([name, r]) => [name, r.raw])),
    config.tls.certificates.map((r) => r.raw),
    config.tls.defaultCertificate?.raw,
    [...config.tls.options].map(([name, r]) => [name, r.raw]),
  ]);
}

/** Counts of each resource kind, for log lines. */
export function countResources(config: DynamicConfig): Record<ResourceKind, number> {
  return {
    routers: config.routers.size,
    services: config.services.size,
    middlewares: config.middlewares.size,
    serversTransports: config.serversTransports.size,
  };
}
