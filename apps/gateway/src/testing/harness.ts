/**
 * Test helpers: real upstream servers, a real gateway on port 0 with its dynamic configuration in a temporary
 * directory, and a plain HTTP client. Not a test file itself (no `.test.ts`), so `node --test` skips it.
 */

import { once } from 'node:events';
import { mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import {
  createServer,
  request as httpRequest,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { Agent, type Dispatcher, request as undiciRequest } from 'undici';
import { createGateway, type Gateway } from '../app.ts';
import { mergeRaw, type RawMap } from '../config/raw.ts';
import { parseStaticConfig } from '../config/static.ts';

/** A request an upstream received. */
export interface Received {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly rawHeaders: string[];
  readonly body: string;
}

/** A running test upstream. */
export interface Upstream {
  readonly url: string;
  readonly port: number;
  readonly received: Received[];
  close(): Promise<void>;
}

type UpstreamHandler = (req: IncomingMessage, res: ServerResponse, body: string) => void;

/** By default an upstream answers 200 with JSON describing the request it got. */
const echo: UpstreamHandler = (req, res, body) => {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ method: req.method, url: req.url, headers: req.headers, body }));
};

/** Starts an upstream on 127.0.0.1:0 that records requests. With `stream`, the handler gets the unread body. */
export async function startUpstream(
  handler: UpstreamHandler = echo,
  options: { readBody?: boolean } = {},
): Promise<Upstream> {
  const received: Received[] = [];
  const server = createServer(async (req, res) => {
    let body = '';
    if (options.readBody !== false) {
      for await (const chunk of req) body += chunk;
    }
    received.push({
      method: req.method ?? '',
      url: req.url ?? '',
      headers: req.headers,
      rawHeaders: req.rawHeaders,
      body,
    });
    handler(req, res, body);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    received,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A port nothing listens on (bound, then released). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A running test gateway. */
export interface TestGateway {
  readonly gateway: Gateway;
  /** Directory of the dynamic configuration files. */
  readonly dir: string;
  /** Parsed gateway log lines. */
  readonly logs: Record<string, unknown>[];
  /** Parsed access-log lines. */
  readonly access: Record<string, unknown>[];
  /** Base URL of the `web` entrypoint. */
  readonly web: string;
  /** Base URL of the `traefik` (admin) entrypoint. */
  readonly admin: string;
  /** Writes (or replaces) a dynamic configuration file atomically (temp file + rename, as editors do). */
  write(name: string, text: string): Promise<void>;
  close(): Promise<void>;
}

/** Options of {@link startGateway}. */
export interface TestGatewayOptions {
  /** Dynamic configuration files by name. */
  readonly files: Readonly<Record<string, string>>;
  /** Raw static configuration merged over the test defaults. */
  readonly static?: RawMap;
  /** Environment for templates. */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** Starts a gateway with `web` and `traefik` entrypoints on 127.0.0.1:0 and a watched directory provider. */
export async function startGateway(options: TestGatewayOptions): Promise<TestGateway> {
  const dir = await mkdtemp(join(tmpdir(), 'gateway-test-'));
  for (const [name, text] of Object.entries(options.files)) await writeFile(join(dir, name), text);
  const defaults: RawMap = {
    entryPoints: {
      web: { address: '127.0.0.1:0', transport: { lifeCycle: { graceTimeOut: '1s' } } },
      traefik: { address: '127.0.0.1:0', transport: { lifeCycle: { graceTimeOut: '1s' } } },
    },
    providers: { providersThrottleDuration: '50ms', file: { directory: dir, watch: true } },
    api: { insecure: true },
    ping: {},
    accessLog: { format: 'json' },
  };
  const { config } = parseStaticConfig(mergeRaw(defaults, options.static ?? {}));
  const logs: Record<string, unknown>[] = [];
  const access: Record<string, unknown>[] = [];
  const logger = pino(
    { level: 'debug', formatters: { level: (label) => ({ level: label }) } },
    { write: (line: string) => void logs.push(JSON.parse(line)) },
  );
  const gateway = createGateway({
    config,
    env: options.env ?? {},
    logger,
    accessLogSink: { write: (line: string) => access.push(JSON.parse(line)) },
  });
  await gateway.start();
  return {
    gateway,
    dir,
    logs,
    access,
    web: gateway.url('web'),
    admin: gateway.url('traefik'),
    write: async (name, text) => {
      const temporary = join(dir, `.${name}.tmp`);
      await writeFile(temporary, text);
      await rename(temporary, join(dir, name));
    },
    close: async () => {
      await gateway.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** A client response with the body read as text. */
export interface Reply {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  /** The body parsed as JSON (throws when it is not). */
  json<T = Record<string, unknown>>(): T;
}

// A private agent, so no test shares keep-alive connections with another.
const agent = new Agent({ keepAliveTimeout: 1000 });

/** Sends one request; redirects are not followed. */
export async function send(
  url: string,
  init: {
    method?: string;
    headers?: Record<string, string | string[]>;
    body?: string;
    /** Another client (one that accepts the gateway's self-signed certificate, say). */
    dispatcher?: Dispatcher;
  } = {},
): Promise<Reply> {
  const response = await undiciRequest(url, {
    dispatcher: init.dispatcher ?? agent,
    method: (init.method ?? 'GET') as 'GET',
    headers: init.headers,
    body: init.body,
  });
  const body = await response.body.text();
  return {
    status: response.statusCode,
    headers: response.headers,
    body,
    json: <T>() => JSON.parse(body) as T,
  };
}

/** Sends a request with Node's own client, which sends `Connection` and similar headers exactly as given. */
export async function sendWithNodeClient(url: string, headers: Record<string, string>): Promise<Reply> {
  const response = await new Promise<IncomingMessage>((resolve, reject) => {
    const req = httpRequest(url, { headers, agent: false }, resolve);
    req.on('error', reject);
    req.end();
  });
  return replyOf(response);
}

/** The TLS side of {@link sendHttps}. */
export interface HttpsInit {
  /** SNI; none when unset (Node sends none for an IP). */
  readonly servername?: string;
  readonly headers?: Record<string, string>;
  /** A client certificate and its key (PEM). */
  readonly cert?: string;
  readonly key?: string;
  /** ALPN offered, e.g. `['http/1.1']` to stay off HTTP/2. */
  readonly ALPNProtocols?: string[];
}

/**
 * Sends one GET to `https://127.0.0.1:<port><path>` with Node's client on a new connection, accepting any server
 * certificate, with the SNI, Host and client certificate given. Rejects when the connection or handshake fails.
 */
export async function sendHttps(
  port: number,
  path: string,
  init: HttpsInit = {},
): Promise<Reply & { readonly alpn: string }> {
  const { headers, ...tls } = init;
  const response = await new Promise<IncomingMessage>((resolve, reject) => {
    const req = httpsRequest(
      { host: '127.0.0.1', port, path, headers, rejectUnauthorized: false, agent: false, ...tls },
      resolve,
    );
    req.on('error', reject);
    req.end();
  });
  const alpn = String((response.socket as { alpnProtocol?: string }).alpnProtocol);
  return { ...(await replyOf(response)), alpn };
}

async function replyOf(response: IncomingMessage): Promise<Reply> {
  let body = '';
  for await (const chunk of response) body += chunk;
  return {
    status: response.statusCode ?? 0,
    headers: response.headers,
    body,
    json: <T>() => JSON.parse(body) as T,
  };
}

/** Waits until `check` returns true, polling; the test's own timeout bounds the wait. */
export async function eventually(check: () => boolean | Promise<boolean>): Promise<void> {
  while (!(await check())) await new Promise((resolve) => setTimeout(resolve, 20));
}

/** YAML for one router → service pair, the common case in tests. */
export function route(
  name: string,
  rule: string,
  upstream: string,
  extra: { middlewares?: string[] } = {},
): string {
  const middlewares = extra.middlewares ? `\n      middlewares: [${extra.middlewares.join(', ')}]` : '';
  return `http:
  routers:
    ${name}:
      rule: "${rule}"
      service: ${name}${middlewares}
  services:
    ${name}:
      loadBalancer:
        servers:
          - url: ${upstream}
`;
}
