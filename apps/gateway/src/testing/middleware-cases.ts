/**
 * Table-driven middleware tests through a real gateway: each case is one middleware on its own router, chosen
 * by an `X-Case` header (so any path, Host or method can be sent), in front of an echo upstream. Traefik's own
 * tests are tables of config + request → expected result; this runs such tables end to end. The gateway has a
 * plain `web` entrypoint that trusts X-Forwarded-* (so a case can say the client used HTTPS) and a TLS
 * `websecure` one. Not a test file itself.
 */

import assert from 'node:assert/strict';
import { Agent } from 'undici';
import {
  type Received,
  type Reply,
  send,
  startGateway,
  startUpstream,
  type TestGateway,
  type Upstream,
} from './harness.ts';

/** A running set of cases. */
export interface CaseGateway {
  readonly gw: TestGateway;
  readonly upstream: Upstream;
  /** Sends a request to the router of case `name` (plain HTTP, or HTTPS with `tls`). */
  send(name: string, path: string, init?: CaseRequest): Promise<Reply>;
  /** The errors the admin API reports for middleware `name`. */
  middlewareErrors(name: string): Promise<string[]>;
  /** What the upstream received last. */
  lastReceived(): Received | undefined;
  /** Replaces the middlewares (a hot reload) and waits for it. */
  replace(middlewares: Readonly<Record<string, unknown>>, extra?: CaseExtra): Promise<void>;
  close(): Promise<void>;
}

/** One request of a case. */
export interface CaseRequest {
  readonly method?: string;
  readonly headers?: Record<string, string | string[]>;
  readonly body?: string;
  /** Send on the TLS entrypoint. */
  readonly tls?: boolean;
}

/** More of the dynamic configuration: extra services and which case routers use them. */
export interface CaseExtra {
  /** Service name → its server URLs (weighted round robin, in this order). */
  readonly services?: Readonly<Record<string, string | readonly string[]>>;
  /** Case name → the service its routers use instead of `echo`. */
  readonly serviceOf?: Readonly<Record<string, string>>;
  /** Middlewares listed on a case's router before its own (by case name). */
  readonly before?: Readonly<Record<string, readonly string[]>>;
}

const insecure = new Agent({ connect: { rejectUnauthorized: false }, keepAliveTimeout: 1000 });

/** The dynamic configuration, as JSON (which YAML reads). */
function render(
  middlewares: Readonly<Record<string, unknown>>,
  upstream: string,
  extra: CaseExtra = {},
): string {
  const routers: Record<string, unknown> = {};
  const routersTls: Record<string, unknown> = {};
  for (const name of Object.keys(middlewares)) {
    const router = {
      rule: `Header(\`X-Case\`, \`${name}\`)`,
      middlewares: [...(extra.before?.[name] ?? []), name],
      service: extra.serviceOf?.[name] ?? 'echo',
    };
    routers[name] = { ...router, entryPoints: ['web'] };
    routersTls[`${name}-tls`] = { ...router, entryPoints: ['websecure'], tls: {} };
  }
  const services: Record<string, unknown> = { echo: { loadBalancer: { servers: [{ url: upstream }] } } };
  for (const [name, urls] of Object.entries(extra.services ?? {})) {
    const list = typeof urls === 'string' ? [urls] : urls;
    services[name] = { loadBalancer: { servers: list.map((url) => ({ url })) } };
  }
  return JSON.stringify({ http: { middlewares, routers: { ...routers, ...routersTls }, services } }, null, 1);
}

/** Starts a gateway serving one router per case. */
export async function startCases(
  middlewares: Readonly<Record<string, unknown>>,
  options: { upstream?: Upstream; extra?: CaseExtra } = {},
): Promise<CaseGateway> {
  const upstream = options.upstream ?? (await startUpstream());
  const gw = await startGateway({
    static: {
      entryPoints: {
        // Encoded slashes allowed, so paths such as Traefik's `/stat/a%2Fb` reach the middlewares.
        web: {
          forwardedHeaders: { insecure: true },
          http: { encodedCharacters: { allowEncodedSlash: true } },
        },
        websecure: {
          address: '127.0.0.1:0',
          http: { tls: {}, encodedCharacters: { allowEncodedSlash: true } },
          transport: { lifeCycle: { graceTimeOut: '1s' } },
        },
      },
    },
    files: { 'cases.yml': render(middlewares, upstream.url, options.extra) },
  });
  const secure = gw.gateway.url('websecure');
  return {
    gw,
    upstream,
    send(name, path, init = {}) {
      const headers = { ...init.headers, 'x-case': name };
      if (!init.tls) return send(`${gw.web}${path}`, { ...init, headers });
      return send(`${secure}${path}`, { ...init, headers, dispatcher: insecure });
    },
    async middlewareErrors(name) {
      const response = await fetch(`${gw.admin}/api/http/middlewares/${name}@file`);
      return ((await response.json()) as { error?: string[] }).error ?? [];
    },
    lastReceived: () => upstream.received.at(-1),
    async replace(next, extra) {
      await gw.write('cases.yml', render(next, upstream.url, extra));
      await gw.gateway.reload();
    },
    async close() {
      await gw.close();
      if (options.upstream === undefined) await upstream.close();
    },
  };
}

/**
 * Checks that a middleware was refused at load: its routers are disabled (a request gets 404) and the admin
 * API gives its error.
 */
export async function assertRefused(gw: CaseGateway, name: string, error: RegExp): Promise<void> {
  assert.equal((await gw.send(name, '/')).status, 404, `${name}: its router is disabled`);
  assert.match((await gw.middlewareErrors(name)).join('; '), error);
}

/** Sends `path` through case `name`; the upstream must get `url` and, when given, these header values. */
export async function assertForwarded(
  gw: CaseGateway,
  name: string,
  path: string,
  url: string,
  headers: Readonly<Record<string, string | undefined>> = {},
): Promise<void> {
  const reply = await gw.send(name, path);
  assert.equal(reply.status, 200);
  const seen = gw.lastReceived();
  assert.equal(seen?.url, url);
  for (const [header, value] of Object.entries(headers)) assert.equal(seen?.headers[header], value, header);
}
