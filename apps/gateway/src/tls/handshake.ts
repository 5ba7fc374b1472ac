/**
 * The TLS handshakes of one HTTPS entrypoint: the certificate by server name (SNI), the TLS options by the
 * domains of the entrypoint's TLS routers, ALPN, strict SNI and client certificates. {@link update} swaps the
 * whole state on reload; handshakes from then on use it, connections already open keep theirs.
 *
 * Node decides per connection, before the handshake, whether to ask for a client certificate: the entrypoint
 * reads the server name first (entrypoints/secure-server.ts) and asks only for names whose options want one.
 * What each option requires is checked once the handshake is done, closing the connection that falls short.
 */

import type { SecureContext, SecureContextOptions, TLSSocket } from 'node:tls';
import { createSecureContext } from 'node:tls';
import type { CertificateStore, KeyPair } from './certificates.ts';
import { defaultOptionsName, type TlsOptions, traefikDefaultOptions } from './options.ts';

/** What an entrypoint's handshakes depend on; replaced whole on reload. */
export interface TlsState {
  readonly store: CertificateStore;
  /** Built options by name; a name missing here (broken options) fails the handshakes that need it. */
  readonly options: ReadonlyMap<string, TlsOptions>;
  /** Lower-case domain → options name; other names get `default`. */
  readonly hosts: ReadonlyMap<string, string>;
}

/** The options name a connection's handshake used (read by the 421 check of TLS routers). */
const negotiated = Symbol('tlsOptions');

/** The TLS options name `socket`'s handshake used, or undefined for a connection that is not TLS. */
export function negotiatedOptions(socket: object): string | undefined {
  return (socket as { [negotiated]?: string })[negotiated];
}

/** Thrown into a handshake that must not complete. */
export class HandshakeRefusedError extends Error {
  readonly code = 'ERR_TLS_HANDSHAKE_REFUSED';

  constructor(message: string) {
    super(message);
    this.name = 'HandshakeRefusedError';
  }
}

/** The handshake policy of an HTTPS entrypoint. */
export class TlsHandshakes {
  #state: TlsState | undefined;
  #contexts = new Map<string, SecureContext>();

  /** Installs a new state. */
  update(state: TlsState): void {
    this.#state = state;
    this.#contexts = new Map();
  }

  /** True when the options of `servername` (null: none sent) want a client certificate. */
  wantsClientCertificate(servername: string | null): boolean {
    const clientAuth = this.optionsFor(servername)?.clientAuth;
    return clientAuth !== undefined && clientAuth !== 'NoClientCert';
  }

  /** The options for `servername` (undefined: broken options, the handshake must fail). */
  optionsFor(servername: string | false | null | undefined): TlsOptions | undefined {
    const state = this.#state;
    if (state === undefined) return undefined;
    const name = servername
      ? (state.hosts.get(servername.toLowerCase()) ?? defaultOptionsName)
      : defaultOptionsName;
    return state.options.get(name);
  }

  /**
   * The options a connection starts from, chosen from its ClientHello's server name (null: none sent):
   * versions, ciphers and curves are fixed before the SNI callback runs. Undefined before the first update.
   */
  startingOptions(servername: string | null): TlsOptions | undefined {
    const state = this.#state;
    if (state === undefined) return undefined;
    return this.optionsFor(servername) ?? state.options.get(defaultOptionsName) ?? traefikDefaultOptions;
  }

  /** The own context of the TLS server for `options`: those options with the default certificate. */
  serverContext(options: TlsOptions): SecureContextOptions | undefined {
    const state = this.#state;
    if (state === undefined) return undefined;
    const { key, cert } = state.store.defaultCertificate;
    return { ...options.context, key, cert };
  }

  /** Node's `SNICallback`: the certificate for the name, with the options of the name. */
  readonly sniCallback = (
    servername: string,
    callback: (error: Error | null, context?: SecureContext) => void,
  ): void => {
    const state = this.#state;
    const options = this.optionsFor(servername);
    if (state === undefined || options === undefined) {
      callback(new HandshakeRefusedError(`the TLS options for ${servername} are not usable`));
      return;
    }
    let pair = state.store.match(servername);
    if (pair === undefined) {
      if (options.sniStrict) {
        callback(new HandshakeRefusedError(`strict SNI: no certificate for ${servername}`));
        return;
      }
      pair = state.store.defaultCertificate;
    }
    callback(null, this.#context(pair, options));
  };

  /** Node's `ALPNCallback`: the first of the options' protocols the client offers, as Go picks it. */
  readonly alpnCallback = ({
    servername,
    protocols,
  }: {
    servername: string;
    protocols: string[];
  }): string | undefined => {
    const options = this.optionsFor(servername);
    if (options === undefined) return undefined;
    for (const protocol of options.alpnProtocols) if (protocols.includes(protocol)) return protocol;
    // Go then negotiates nothing and the client speaks HTTP/1.1; Node must name a protocol or fail.
    if (options.alpnProtocols.includes('h2') && protocols.includes('http/1.1')) return 'http/1.1';
    return undefined;
  };

  /**
   * Checks a completed handshake against its options (strict SNI without a name, client certificates) and
   * records which options it used. False: the connection was destroyed.
   */
  accept(socket: TLSSocket): boolean {
    const servername = socket.servername;
    const options = this.optionsFor(servername);
    const refused =
      options === undefined
        ? 'its TLS options are not usable'
        : !servername && options.sniStrict
          ? 'strict SNI: the client sent no server name'
          : clientCertificateProblem(socket, options);
    if (refused !== undefined) {
      socket.destroy();
      return false;
    }
    (socket as { [negotiated]?: string })[negotiated] = options?.name;
    return true;
  }

  #context(pair: KeyPair, options: TlsOptions): SecureContext {
    const key = `${pair.id}\0${options.name}`;
    let context = this.#contexts.get(key);
    if (context === undefined) {
      context = createSecureContext({ ...options.context, key: pair.key, cert: pair.cert });
      this.#contexts.set(key, context);
    }
    return context;
  }
}

/** What is wrong with the client's certificate for `options`, or undefined. */
function clientCertificateProblem(socket: TLSSocket, options: TlsOptions): string | undefined {
  switch (options.clientAuth) {
    case 'NoClientCert':
    case 'RequestClientCert':
      return undefined;
    case 'RequireAnyClientCert':
      return hasPeerCertificate(socket) ? undefined : 'no client certificate';
    case 'VerifyClientCertIfGiven':
      return !hasPeerCertificate(socket) || socket.authorized
        ? undefined
        : `client certificate refused: ${socket.authorizationError}`;
    case 'RequireAndVerifyClientCert':
      if (!hasPeerCertificate(socket)) return 'no client certificate';
      return socket.authorized ? undefined : `client certificate refused: ${socket.authorizationError}`;
  }
}

function hasPeerCertificate(socket: TLSSocket): boolean {
  const certificate = socket.getPeerCertificate();
  return certificate !== null && Object.keys(certificate).length > 0;
}
