/**
 * `replacePath` (Traefik): replaces the whole path with `path` (an escaped path: `/foo%2Fbar` is sent as is)
 * and records the path it had in `X-Replaced-Path`. A `path` Go cannot unescape gets 500 with Go's message,
 * as in Traefik.
 */

import type { ReplacePathConfig } from '../config/dynamic-schema.ts';
import { httpError } from './http-error.ts';
import type { Middleware } from './types.ts';
import { escapedPathOf, unescapePathBytes } from './url-path.ts';

/** Builds a replacePath middleware. */
export function replacePath(options: ReplacePathConfig): Middleware {
  let path: string | undefined;
  let failure: string | undefined;
  try {
    unescapePathBytes(options.path);
    path = escapedPathOf(options.path);
  } catch (error) {
    failure = (error as Error).message;
  }
  return (next) => (exchange) => {
    addReplacedPath(exchange.headers, exchange.path);
    if (path === undefined) {
      httpError(exchange, 500, failure);
      return Promise.resolve();
    }
    exchange.path = path;
    return next(exchange);
  };
}

/** Appends the path before the rewrite to `X-Replaced-Path` (Traefik's `Header.Add`). */
export function addReplacedPath(headers: Record<string, string[]>, path: string): void {
  const prior = headers['x-replaced-path'];
  headers['x-replaced-path'] = prior === undefined ? [path] : [...prior, path];
}
