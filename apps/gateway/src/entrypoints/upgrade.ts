/**
 * An entrypoint's protocol-switch requests (`Connection: Upgrade` + `Upgrade`, websockets): Node hands them
 * to an `upgrade` listener with the bare socket instead of a response. Each becomes an {@link UpgradeExchange}
 * and goes through the same preparation and dispatch as any request; the proxy switches it if the upstream
 * agrees. The entrypoint keeps the sockets to cut them when its grace period on close is over: Node's
 * server no longer tracks a connection once it is upgraded.
 */

import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Exchange } from '../http/exchange.ts';
import { UpgradeExchange } from '../http/upgrade-exchange.ts';

/** What the upgrade listener needs from its entrypoint. */
export interface UpgradeOptions {
  readonly entryPoint: string;
  readonly tls: boolean;
  readonly prepare: (exchange: Exchange) => void;
  readonly dispatch: (exchange: Exchange) => void;
  readonly onError?: ((error: unknown) => void) | undefined;
}

/**
 * Node's `shouldUpgradeCallback`: which upgrade requests reach the `upgrade` listener. `h2c` is served as
 * plain HTTP/1.1, the Upgrade header ignored, as RFC 9113 lets a server do (Traefik switches to h2c itself on
 * a plain entrypoint; this gateway has no HTTP/2 without TLS).
 */
export function acceptsUpgrade(req: IncomingMessage): boolean {
  const upgrade = req.headers.upgrade;
  if (upgrade === undefined) return false;
  for (const token of upgrade.split(',')) if (token.trim().toLowerCase() === 'h2c') return false;
  return true;
}

/** The upgrade requests of one entrypoint, and their sockets while they are open. */
export class Upgrades {
  readonly #options: UpgradeOptions;
  readonly #sockets = new Set<Duplex>();

  constructor(options: UpgradeOptions) {
    this.#options = options;
  }

  /** The server's `upgrade` listener. */
  readonly listener = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    const options = this.#options;
    const sockets = this.#sockets;
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    let exchange: UpgradeExchange | undefined;
    try {
      exchange = new UpgradeExchange(req, socket, head, { entryPoint: options.entryPoint, tls: options.tls });
      options.prepare(exchange);
      options.dispatch(exchange);
    } catch (error) {
      // As for any request: a throw must not take the process down.
      options.onError?.(error);
      if (exchange !== undefined && !exchange.res.headersSent)
        exchange.sendText(500, 'Internal Server Error');
      else socket.destroy();
    }
  };

  /** Cuts every upgrade connection still open. */
  destroyAll(): void {
    for (const socket of this.#sockets) socket.destroy();
  }
}
