/**
 * Keeps the HTTPS entrypoints' certificates and TLS options in step with the dynamic `tls` section. The
 * self-signed default is generated once, at start, before the first load; each load then installs the
 * configured certificates and options on every HTTPS entrypoint, and when no load ever succeeds the generated
 * certificate is served alone, with Traefik's default options.
 */

import type { TlsSection } from '../config/dynamic-config.ts';
import type { Logger } from '../observability/logger.ts';
import { loadCertificates } from './certificates.ts';
import { generateDefaultCertificate, type PemCertificate } from './default-certificate.ts';
import type { TlsState } from './handshake.ts';
import { defaultOptionsName, traefikDefaultOptions } from './options.ts';
import type { RuntimeTls } from './routers-tls.ts';

/** An HTTPS entrypoint, as far as certificates and TLS options go. */
export interface CertificateTarget {
  readonly name: string;
  setTls(state: TlsState): void;
}

const noHosts: ReadonlyMap<string, string> = new Map();
const traefikDefaults: RuntimeTls = {
  options: {
    options: new Map([[defaultOptionsName, traefikDefaultOptions]]),
    errors: new Map(),
    warnings: [],
  },
  hosts: new Map(),
};

/** Installs certificates on HTTPS entrypoints. */
export class CertificateApplier {
  readonly #targets: readonly CertificateTarget[];
  readonly #logger: Logger;
  #generated: PemCertificate | undefined;
  #applied = false;

  constructor(targets: readonly CertificateTarget[], logger: Logger) {
    this.#targets = targets;
    this.#logger = logger;
  }

  /**
   * Generates the self-signed default (only when there is an HTTPS entrypoint), or takes `given` (one made for
   * every worker), and logs its fingerprint.
   */
  async generateDefault(given?: PemCertificate): Promise<void> {
    if (this.#targets.length === 0) return;
    this.#generated = given ?? (await generateDefaultCertificate());
    this.#logger.info(
      {
        entryPoints: this.#targets.map((target) => target.name),
        fingerprint256: this.#generated.fingerprint256,
      },
      'generated a self-signed certificate for localhost, served when no configured certificate applies',
    );
  }

  /**
   * Installs the certificates of `section` and the options of `tls` (built with the runtime); a certificate
   * that cannot be loaded is skipped with an error line.
   */
  apply(section: TlsSection, tls: RuntimeTls = traefikDefaults): void {
    if (this.#targets.length === 0 || this.#generated === undefined) return;
    const { store, errors } = loadCertificates(section, this.#generated);
    for (const error of errors) this.#logger.error({ provider: 'file' }, error);
    for (const target of this.#targets)
      target.setTls({ store, options: tls.options.options, hosts: tls.hosts.get(target.name) ?? noHosts });
    this.#applied = true;
  }

  /** No provider, or a first configuration that was rejected: serve the generated certificate alone. */
  applyDefaultIfNone(): void {
    if (!this.#applied) this.apply({ certificates: [], defaultCertificate: undefined, options: new Map() });
  }
}
