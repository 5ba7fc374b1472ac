/**
 * The TLS side of a runtime build: the options of `tls.options`, which TLS router uses which, which server
 * names get which options on each entrypoint, and the 421 check that keeps a router to the connections that
 * negotiated its options (Traefik's `snicheck`): without it, a client could complete a handshake under lax
 * options (no client certificate) for one name and then ask for a host that requires stricter ones.
 */

import type { RawResource } from '../config/dynamic-config.ts';
import type { Handler } from '../http/handler.ts';
import { negotiatedOptions } from './handshake.ts';
import { buildTlsOptionsSet, defaultOptionsName, type TlsOptionsSet } from './options.ts';
import { resolveTlsRouting, type TlsRouter } from './router-options.ts';

/** What the HTTPS entrypoints need from a runtime: the options and, per entrypoint, options by server name. */
export interface RuntimeTls {
  readonly options: TlsOptionsSet;
  /** Entrypoint → lower-case domain → options name (others get `default`). */
  readonly hosts: ReadonlyMap<string, ReadonlyMap<string, string>>;
}

/** Collects TLS routers during a build, then resolves their options. */
export class RoutersTls {
  readonly #set: TlsOptionsSet;
  readonly #provider: string;
  readonly #routers: TlsRouter[] = [];

  constructor(raw: ReadonlyMap<string, RawResource> | undefined, provider: string) {
    this.#set = buildTlsOptionsSet(raw ?? new Map(), provider);
    this.#provider = provider;
  }

  /** Problems of the option definitions, for the log. */
  get warnings(): readonly string[] {
    return [...this.#set.warnings, ...[...this.#set.errors.values()].map((error) => `TLS options: ${error}`)];
  }

  /** The qualified options a router's `tls.options` names, or why the router cannot be served. */
  reference(options: string | undefined): { ok: true; name: string } | { ok: false; error: string } {
    const name =
      options === undefined || options === defaultOptionsName
        ? defaultOptionsName
        : options.includes('@')
          ? options
          : `${options}@${this.#provider}`;
    if (this.#set.options.has(name)) return { ok: true, name };
    const broken = this.#set.errors.get(name);
    return {
      ok: false,
      error: broken ? `invalid TLS options "${name}": ${broken}` : `unknown TLS options: ${name}`,
    };
  }

  /**
   * Where a router goes on its TLS entrypoints (`secure`), with which options: its own `tls.options`, else (no
   * `tls` at all) each entrypoint's `http.tls.options`, else `default`. As in Traefik, a router's `tls`, even
   * empty, replaces its entrypoints' TLS settings. `errors`: options that are unknown or invalid.
   */
  plan(
    name: string,
    router: { readonly rule: string; readonly tls?: { readonly options?: string | undefined } | undefined },
    secure: readonly string[],
    entryPointOptions: ReadonlyMap<string, string> | undefined,
  ): { errors: string[]; placements: TlsRouter[] } {
    const groups = new Map<string | undefined, string[]>();
    for (const entryPoint of secure) {
      const options = router.tls !== undefined ? router.tls.options : entryPointOptions?.get(entryPoint);
      groups.set(options, [...(groups.get(options) ?? []), entryPoint]);
    }
    const errors: string[] = [];
    const placements: TlsRouter[] = [];
    for (const [options, entryPoints] of groups) {
      const reference = this.reference(options);
      if (reference.ok) placements.push({ name, rule: router.rule, options: reference.name, entryPoints });
      else errors.push(reference.error);
    }
    return { errors, placements };
  }

  /** Records a router served on TLS entrypoints (`entryPoints`: those entrypoints only). */
  add(router: TlsRouter): void {
    this.#routers.push(router);
  }

  /**
   * Resolves the routers' options. `conflicts` says which routers fell back to `default` and why; `guard`
   * wraps a router's handler with the 421 check when its connections could have negotiated other options.
   */
  finish(): {
    tls: RuntimeTls;
    conflicts: ReadonlyMap<string, string>;
    guard: (router: string, handler: Handler) => Handler;
  } {
    const routing = resolveTlsRouting(this.#routers);
    const anyOther = [...routing.resolved.values()].some((byEntryPoint) =>
      [...byEntryPoint.values()].some((name) => name !== defaultOptionsName),
    );
    return {
      tls: { options: this.#set, hosts: routing.hosts },
      conflicts: routing.conflicts,
      guard: (router, handler) => {
        const expected = routing.resolved.get(router);
        // With `default` everywhere, every connection negotiated `default`: nothing to check per request.
        if (expected === undefined || !anyOther) return handler;
        return (exchange) => {
          if (!exchange.tls) return handler(exchange);
          // An HTTP/2 request's socket is the connection's too (http/http2-compat.ts).
          if (negotiatedOptions(exchange.req.socket) === expected.get(exchange.entryPoint))
            return handler(exchange);
          exchange.sendText(421, 'Misdirected Request\n');
          return Promise.resolve();
        };
      },
    };
  }
}
