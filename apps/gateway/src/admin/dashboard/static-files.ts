/**
 * The dashboard's front end, served from memory: the files of `apps/gateway/dashboard/` (plain ES modules, no
 * build step) and uPlot from its npm package, read once on first use. Only those files exist: a request path is
 * looked up, never joined onto a directory, so no path can reach anything else. Every page carries a strict
 * Content-Security-Policy (scripts from this origin only), as the pages show configuration values.
 */

import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { extname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Exchange } from '../../http/exchange.ts';
import type { Handler } from '../../http/handler.ts';

/** Where the front end's sources are. */
export const frontEndDirectory = fileURLToPath(new URL('../../../dashboard/', import.meta.url));

const contentTypes: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

const securityHeaders = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
};

interface Asset {
  readonly body: Buffer;
  readonly type: string;
  readonly etag: string;
}

/** Builds the handler of `/`, `/dashboard` and `/dashboard/...` (the prefix is part of the paths). */
export function staticFiles(): Handler {
  let assets: Promise<Map<string, Asset>> | undefined;
  return async (exchange) => {
    const path = exchange.path;
    if (path === '/' || path === '/dashboard') {
      // As Traefik: the admin root and the bare prefix lead to the dashboard.
      exchange.send(302, '', { location: '/dashboard/' });
      return;
    }
    if (exchange.method !== 'GET' && exchange.method !== 'HEAD') {
      exchange.sendText(405, 'Method Not Allowed', { allow: 'GET, HEAD' });
      return;
    }
    assets ??= loadAssets();
    const asset = (await assets).get(path === '/dashboard/' ? '/dashboard/index.html' : path);
    if (asset === undefined) {
      exchange.sendText(404, '404 page not found\n', { 'x-content-type-options': 'nosniff' });
      return;
    }
    serve(exchange, asset);
  };
}

function serve(exchange: Exchange, asset: Asset): void {
  const headers = { ...securityHeaders, etag: asset.etag, 'cache-control': 'no-cache' };
  if (exchange.req.headers['if-none-match'] === asset.etag) {
    exchange.send(304, '', headers);
    return;
  }
  exchange.send(200, exchange.method === 'HEAD' ? '' : asset.body, {
    ...headers,
    'content-type': asset.type,
  });
}

async function loadAssets(): Promise<Map<string, Asset>> {
  const assets = new Map<string, Asset>();
  const add = async (url: string, file: string) => {
    // Anything else there (type declarations, tsconfig.json) is for the type checker only.
    const type = contentTypes[extname(file)];
    if (type === undefined) return;
    const body = await readFile(file);
    const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`;
    assets.set(url, { body, type, etag });
  };
  for (const file of await listFiles(frontEndDirectory)) {
    await add(`/dashboard/${relative(frontEndDirectory, file).split(sep).join('/')}`, file);
  }
  const require = createRequire(import.meta.url);
  await add('/dashboard/vendor/uplot.js', require.resolve('uplot/dist/uPlot.esm.js'));
  await add('/dashboard/vendor/uplot.css', require.resolve('uplot/dist/uPlot.min.css'));
  return assets;
}

async function listFiles(directory: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(directory, { withFileTypes: true })) {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) out.push(...(await listFiles(path)));
    else if (entry.isFile()) out.push(path);
  }
  return out;
}
