/**
 * The proxy's side of a protocol switch (websockets), as Go's `ReverseProxy` does it for Traefik: the upgrade
 * request goes upstream with `Connection: Upgrade` and `Upgrade: <protocol>` (the other hop-by-hop headers
 * dropped, as for any request); an answer other than 101 is relayed like any answer; a 101 whose `Upgrade`
 * names the protocol asked for is written to the client as it came, and both sockets are then piped until
 * either side ends, which closes both.
 */

import type { IncomingHttpHeaders } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Dispatcher } from 'undici';
import type { HeaderMap } from '../http/headers.ts';
import { endSoon, type UpgradeExchange } from '../http/upgrade-exchange.ts';

/** A protocol switch that cannot go on: answered like any upstream failure without a known code (500). */
export class UpgradeProtocolError extends Error {
  readonly code = 'ERR_UPGRADE_PROTOCOL';

  constructor(message: string) {
    super(message);
    this.name = 'UpgradeProtocolError';
  }
}

/** Go's `upgradeType`: the `Upgrade` value when `Connection` lists `upgrade`, else undefined. */
export function requestedProtocol(headers: HeaderMap | IncomingHttpHeaders): string | undefined {
  const connection = headers.connection;
  if (connection === undefined) return undefined;
  const values = typeof connection === 'string' ? [connection] : connection;
  let listed = false;
  for (const value of values) {
    for (const token of value.split(',')) if (token.trim().toLowerCase() === 'upgrade') listed = true;
  }
  if (!listed) return undefined;
  const upgrade = headers.upgrade;
  return typeof upgrade === 'string' ? upgrade : upgrade?.[0];
}

/** Go refuses a protocol name that is not printable ASCII (either side's). */
export function invalidProtocol(protocol: string, side: 'client' | 'backend'): Error | undefined {
  return /^[\x20-\x7e]*$/.test(protocol)
    ? undefined
    : new UpgradeProtocolError(`${side} tried to switch to invalid protocol ${JSON.stringify(protocol)}`);
}

/**
 * The dispatch handler of an upgrade request: an ordinary answer (or a failure) goes to `call`, the proxy's
 * handler for any request; a switch is taken over here. `done` runs when the tunnel is closed.
 */
export class UpgradeCall implements Dispatcher.DispatchHandler {
  readonly #exchange: UpgradeExchange;
  readonly #protocol: string;
  readonly #call: Dispatcher.DispatchHandler;
  readonly #done: () => void;

  constructor(
    exchange: UpgradeExchange,
    protocol: string,
    call: Dispatcher.DispatchHandler,
    done: () => void,
  ) {
    this.#exchange = exchange;
    this.#protocol = protocol;
    this.#call = call;
    this.#done = done;
  }

  onRequestStart(controller: Dispatcher.DispatchController, context: unknown): void {
    this.#call.onRequestStart?.(controller, context);
  }

  onResponseStart(
    controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: IncomingHttpHeaders,
    statusMessage?: string,
  ): void {
    this.#call.onResponseStart?.(controller, statusCode, headers, statusMessage);
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.#call.onResponseData?.(controller, chunk);
  }

  onResponseEnd(controller: Dispatcher.DispatchController, trailers: IncomingHttpHeaders): void {
    this.#call.onResponseEnd?.(controller, trailers);
  }

  onResponseError(controller: Dispatcher.DispatchController | null, error: Error): void {
    this.#call.onResponseError?.(controller as Dispatcher.DispatchController, error);
  }

  onRequestUpgrade(
    controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: IncomingHttpHeaders,
    upstream: Duplex,
  ): void {
    const exchange = this.#exchange;
    // Without a listener, a reset on this socket would be thrown.
    upstream.on('error', ignore);
    exchange.cancelOnClientGone(undefined);
    const answered = requestedProtocol(headers) ?? '';
    const refused =
      invalidProtocol(answered, 'backend') ??
      (answered.toLowerCase() === this.#protocol.toLowerCase()
        ? undefined
        : new UpgradeProtocolError(
            `backend tried to switch protocol ${JSON.stringify(answered)} when ${JSON.stringify(this.#protocol)} was requested`,
          ));
    if (refused !== undefined) {
      upstream.destroy();
      this.onResponseError(controller, refused);
      return;
    }
    const log = exchange.log;
    log.OriginStatus = statusCode;
    log.originHeaders = headers;
    log.originEnd = process.hrtime.bigint();
    const taken = exchange.takeSocket();
    if (taken === undefined) {
      // The client left while the upstream was answering; its exchange is already closed.
      upstream.destroy();
      this.#done();
      return;
    }
    exchange.switched(statusCode);
    const client = taken.socket;
    client.write(switchingHead(statusCode, headers));
    if (taken.early.length > 0) upstream.write(taken.early);
    tunnel(client, upstream, () => {
      exchange.tunnelClosed();
      this.#done();
    });
  }
}

function ignore(): void {}

/** The 101 as the upstream sent it, every header kept (Go writes the switch's headers unfiltered). */
function switchingHead(statusCode: number, headers: IncomingHttpHeaders): string {
  let head = `HTTP/1.1 ${statusCode} Switching Protocols\r\n`;
  for (const name of Object.keys(headers)) {
    const value = headers[name];
    if (value === undefined) continue;
    if (typeof value === 'string') head += `${name}: ${value}\r\n`;
    else for (const line of value) head += `${name}: ${line}\r\n`;
  }
  return `${head}\r\n`;
}

/**
 * Pipes two sockets both ways. When either side stops sending, or fails, both are closed (what was already
 * read is flushed first), as Go's proxy closes both connections when either copy ends; `closed` runs once
 * both are.
 */
function tunnel(client: Duplex, upstream: Duplex, closed: () => void): void {
  let open = 2;
  const onClose = () => {
    client.destroy();
    upstream.destroy();
    if (--open === 0) closed();
  };
  const shut = () => {
    endSoon(client);
    endSoon(upstream);
  };
  client.once('close', onClose);
  upstream.once('close', onClose);
  client.once('end', shut);
  upstream.once('end', shut);
  client.pipe(upstream, { end: false });
  upstream.pipe(client, { end: false });
}
