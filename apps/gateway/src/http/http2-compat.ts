/**
 * What differs for an HTTP/2 request in a pipeline written for HTTP/1's shapes (Node's compatibility API
 * gives both the same objects). The request's pseudo-headers are not headers: `:authority` is the Host, as Go
 * takes it (`req.Host`), and the others are the method, scheme and path Node already exposes. HTTP/2 splits
 * `cookie` into one field per cookie (RFC 9113 §8.2.3); Go joins them back with `; `. An HTTP/2 response must
 * not carry connection-specific headers (RFC 9113 §8.2.2): Node throws on them, so they are dropped.
 */

import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { Http2ServerRequest } from 'node:http2';
import type { HeaderMap } from './headers.ts';

/**
 * The request headers of an HTTP/2 request, from its raw fields, as an HTTP/1 request would have them. A body
 * of unknown length (no `content-length`, and the HEADERS frame did not end the stream) is marked
 * `transfer-encoding: chunked`, as Go gives it a ContentLength of -1: the proxy then streams it upstream.
 */
export function http2RequestHeaders(req: IncomingMessage): HeaderMap {
  const raw = req.rawHeaders;
  const headers: HeaderMap = Object.create(null);
  let authority: string | undefined;
  for (let i = 0; i < raw.length; i += 2) {
    const name = (raw[i] as string).toLowerCase();
    const value = raw[i + 1] as string;
    if (name.charCodeAt(0) === 58 /* : */) {
      if (name === ':authority') authority = value;
      continue;
    }
    const values = headers[name];
    if (values === undefined) headers[name] = [value];
    else if (name === 'cookie') values[0] = `${values[0]}; ${value}`;
    else values.push(value);
  }
  if (authority !== undefined) headers.host = [authority];
  if (
    headers['content-length'] === undefined &&
    !(req as unknown as Http2ServerRequest).stream.endAfterHeaders
  )
    headers['transfer-encoding'] = ['chunked'];
  // A plain object, like the HTTP/1 map, for the code that copies it with spreads and Object.entries.
  return { ...headers };
}

/** Connection-specific fields (RFC 9113 §8.2.2); `te` is allowed with `trailers` only. */
const connectionSpecific = ['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade'];

/**
 * Makes an HTTP/2 request look like HTTP/1's where the pipeline looks: `req.socket` becomes the connection's
 * TLS socket (the compatibility API's is a proxy that forgets the connection once the stream ends, when the
 * access log reads it). Nothing here destroys `req.socket`, which would end every stream of the connection.
 */
export function adaptHttp2Request(req: IncomingMessage): void {
  const socket = (req as unknown as Http2ServerRequest).stream.session?.socket;
  if (socket !== undefined) Object.defineProperty(req, 'socket', { value: socket });
}

/** Makes `res.writeHead` drop connection-specific headers, whoever calls it (HTTP/2 responses only). */
export function dropConnectionHeaders(res: ServerResponse): void {
  const writeHead = res.writeHead;
  res.writeHead = function (this: ServerResponse, status: number, ...rest: unknown[]) {
    const headers = rest[rest.length - 1];
    if (typeof headers === 'object' && headers !== null && !Array.isArray(headers)) {
      const clean: OutgoingHttpHeaders = { ...(headers as OutgoingHttpHeaders) };
      for (const name of connectionSpecific) delete clean[name];
      if (clean.te !== undefined && String(clean.te).toLowerCase() !== 'trailers') delete clean.te;
      rest[rest.length - 1] = clean;
    }
    return (writeHead as (...args: unknown[]) => ServerResponse).call(this, status, ...rest);
  } as ServerResponse['writeHead'];
}
