import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type CryptoKey, exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';

/** One signing key of a {@link TokenIssuer}. */
interface IssuerKey {
  kid: string;
  alg: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
}

/** Claims and header of a token to sign; `undefined` claims are left out. */
export interface TokenSpec {
  claims?: Record<string, unknown>;
  kid?: string;
  /** Header fields to add or override (`typ`, `kid`, ...). */
  header?: Record<string, unknown>;
}

/**
 * A stand-in for an external token issuer in tests: a real HTTP server on loopback that publishes a JWKS (and a
 * discovery document pointing to it), with keys the test adds, removes and signs with. It can also stop answering
 * (`hang`) or go away (`close`), to test what happens when an issuer is down.
 */
export class TokenIssuer {
  readonly #server: Server;
  readonly #keys = new Map<string, IssuerKey>();
  readonly #published = new Set<string>();
  #hanging = false;
  /** How many times the JWKS was fetched. */
  jwksFetches = 0;
  issuer = '';

  private constructor() {
    this.#server = createServer((req, res) => {
      if (this.#hanging) return;
      if (req.url === '/jwks') {
        this.jwksFetches += 1;
        const keys = [...this.#published].map((kid) => this.#keys.get(kid)?.publicJwk);
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys }));
      } else if (req.url === '/.well-known/openid-configuration') {
        res
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify({ issuer: this.issuer, jwks_uri: this.jwksUrl }));
      } else {
        res.writeHead(404).end();
      }
    });
  }

  /** Starts an issuer on an ephemeral loopback port with one published RS256 key, `key-1`. */
  static async start(): Promise<TokenIssuer> {
    const issuer = new TokenIssuer();
    await new Promise<void>((resolve) => issuer.#server.listen(0, '127.0.0.1', resolve));
    const { port } = issuer.#server.address() as AddressInfo;
    issuer.issuer = `http://127.0.0.1:${port}`;
    await issuer.addKey('key-1');
    return issuer;
  }

  get jwksUrl(): string {
    return `${this.issuer}/jwks`;
  }

  /** Creates a key; it is published unless told otherwise. */
  async addKey(kid: string, options: { alg?: string; publish?: boolean } = {}): Promise<void> {
    const alg = options.alg ?? 'RS256';
    const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
    const publicJwk = { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' };
    this.#keys.set(kid, { kid, alg, privateKey, publicJwk });
    if (options.publish ?? true) this.#published.add(kid);
  }

  publish(kid: string): void {
    this.#published.add(kid);
  }

  /** The public JWK of a key, as published. */
  publicJwk(kid = 'key-1'): JWK {
    const key = this.#keys.get(kid);
    if (!key) throw new Error(`no key ${kid}`);
    return key.publicJwk;
  }

  /** Signs a token with one of the keys; the default claims make a valid token for `api://test`, valid 5 minutes. */
  async sign(spec: TokenSpec = {}): Promise<string> {
    const kid = spec.kid ?? 'key-1';
    const key = this.#keys.get(kid);
    if (!key) throw new Error(`no key ${kid}`);
    const now = Math.floor(Date.now() / 1000);
    const claims: Record<string, unknown> = {
      iss: this.issuer,
      aud: 'api://test',
      sub: 'client-1',
      azp: 'client-1',
      roles: ['invokeRole'],
      iat: now,
      exp: now + 300,
      ...spec.claims,
    };
    for (const [name, value] of Object.entries(claims)) if (value === undefined) delete claims[name];
    return new SignJWT(claims).setProtectedHeader({ alg: key.alg, kid, ...spec.header }).sign(key.privateKey);
  }

  /** Stops answering requests (connections are accepted and left open). */
  hang(): void {
    this.#hanging = true;
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}
