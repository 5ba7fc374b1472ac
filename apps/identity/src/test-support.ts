/** Test helpers: a real identity server on a free loopback port, and a cookie-keeping client for browser flows. */
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Service } from '@gateway-pattern/service-kit';
import { buildApp } from './app.ts';
import { DEFAULT_IDENTITY_CONFIG } from './config.ts';
import { type Directory, loadDirectory } from './directory/load.ts';
import { loadOrCreateKeys } from './keys/keystore.ts';

/** A running identity provider whose issuer is its own loopback URL. */
export interface RunningIdentity {
  app: Service;
  /** The issuer, also the base URL to call. */
  url: string;
  keysDir: string;
  close(): Promise<void>;
}

/** A temporary keys directory, removed by the returned function. */
export async function temporaryKeysDir(): Promise<{ dir: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'identity-keys-'));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

async function unusedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve, reject) => probe.once('error', reject).listen(0, '127.0.0.1', resolve));
  const address = probe.address();
  await new Promise((resolve) => probe.close(resolve));
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  return address.port;
}

let demoDirectory: Promise<Directory> | undefined;

/** The demo directory of `infra/identity/identity.yml`, read once per test file. */
export function demoDirectoryOnce(): Promise<Directory> {
  demoDirectory ??= loadDirectory(DEFAULT_IDENTITY_CONFIG);
  return demoDirectory;
}

/**
 * Starts identity on a free port of 127.0.0.1 with the issuer `http://127.0.0.1:<port>`, keys in `keysDir` (a fresh
 * temporary directory, removed on close, when not given) and the demo directory unless another is given.
 */
export async function startIdentity(
  options: { keysDir?: string; directory?: Directory; trustProxy?: boolean; watchKeys?: boolean } = {},
): Promise<RunningIdentity> {
  const owned = options.keysDir === undefined ? await temporaryKeysDir() : undefined;
  const keysDir = options.keysDir ?? owned?.dir ?? '';
  const directory = options.directory ?? (await demoDirectoryOnce());
  const { keys } = await loadOrCreateKeys(keysDir);
  // The issuer names the port, so the port is picked before the app is built; retry if another process took it.
  for (let attempt = 1; ; attempt++) {
    const port = await unusedPort();
    const url = `http://127.0.0.1:${port}`;
    const app = buildApp({
      logLevel: false,
      issuer: url,
      directory,
      keys,
      cookieKeys: ['test-cookie-key-0123456789'],
      trustProxy: options.trustProxy ?? false,
      ...(options.watchKeys ? { keysDir } : {}),
    });
    try {
      await app.listen({ host: '127.0.0.1', port });
    } catch (err) {
      await app.close();
      if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE' && attempt < 5) continue;
      throw err;
    }
    return {
      app,
      url,
      keysDir,
      close: async () => {
        await app.close();
        await owned?.remove();
      },
    };
  }
}

/** A minimal browser: keeps cookies per path as the server sets them, follows no redirects by itself. */
export class CookieClient {
  readonly #cookies = new Map<string, { value: string; path: string }>();
  readonly base: string;

  constructor(base: string) {
    this.base = base;
  }

  /** Sends a request with the cookies whose path matches, and stores the cookies of the answer. */
  async fetch(target: string, init: RequestInit = {}): Promise<Response> {
    const url = new URL(target, this.base);
    const cookie = [...this.#cookies]
      .filter(
        ([, c]) =>
          url.pathname === c.path || url.pathname.startsWith(c.path.endsWith('/') ? c.path : `${c.path}/`),
      )
      .map(([name, c]) => `${name}=${c.value}`)
      .join('; ');
    const headers = new Headers(init.headers);
    if (cookie) headers.set('cookie', cookie);
    const response = await fetch(url, { ...init, headers, redirect: 'manual' });
    for (const line of response.headers.getSetCookie()) this.#store(line);
    return response;
  }

  /** POSTs an HTML form. */
  post(target: string, form: Record<string, string>): Promise<Response> {
    return this.fetch(target, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form).toString(),
    });
  }

  /** Forgets every cookie (another browser). */
  clear(): void {
    this.#cookies.clear();
  }

  #store(line: string): void {
    const [pair = '', ...attributes] = line.split(';').map((part) => part.trim());
    const eq = pair.indexOf('=');
    const name = pair.slice(0, eq);
    const value = pair.slice(eq + 1);
    const attr = (key: string) =>
      attributes.find((a) => a.toLowerCase().startsWith(`${key}=`))?.slice(key.length + 1);
    const expires = attr('expires');
    const expired = value === '' || (expires !== undefined && Date.parse(expires) <= Date.now());
    if (expired) this.#cookies.delete(name);
    else this.#cookies.set(name, { value, path: attr('path') ?? '/' });
  }
}
