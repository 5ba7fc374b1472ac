/**
 * The reload state machine: loads run one at a time (a reload asked for during one runs after it); a load
 * that fails is rejected whole, logged as an error naming the file, and the last good configuration keeps
 * serving; the first load that succeeds after rejections says so, naming the files, even when it changes
 * nothing (a file put back as it was); a load that changes nothing is skipped; anything else is handed to
 * `apply`, which builds and swaps the runtime.
 */

import { type DynamicConfig, fingerprint } from '../config/dynamic-config.ts';
import { ProviderLoadError } from '../errors.ts';
import type { Logger } from '../observability/logger.ts';

/** The outcome of a reload. */
export type ReloadResult =
  | { readonly ok: true; readonly changed: boolean }
  | { readonly ok: false; readonly error: Error };

/** How a load ended, for a history of them (the dashboard's `/api/history`). */
export type LoadOutcome =
  | {
      readonly status: 'applied' | 'unchanged';
      readonly files: readonly string[];
      /** Files rejected before, that this load put right. */
      readonly recovered: readonly string[];
    }
  | { readonly status: 'rejected'; readonly file: string | undefined; readonly error: Error };

/** What a source's load produced (the file provider's `FileLoadResult`). */
export interface LoadedConfig {
  readonly config: DynamicConfig;
  /** Worth a warning each: duplicates, skipped files. */
  readonly notices: readonly string[];
  /** The files read, in merge order. */
  readonly files: readonly string[];
  /** Rendered text of each file. */
  readonly rendered: ReadonlyMap<string, string>;
}

/** Where configurations come from (the file provider). */
export interface ConfigSource {
  load(): Promise<LoadedConfig>;
}

/** Options of {@link Reloader}. */
export interface ReloaderOptions {
  /** No source: every reload succeeds and changes nothing. */
  readonly source: ConfigSource | undefined;
  /** Builds and installs a configuration that loaded and differs from the current one. */
  readonly apply: (loaded: LoadedConfig) => void;
  readonly logger: Logger;
  /** `providers.file.debugLogGeneratedTemplate`: log each rendered file at debug. */
  readonly logRenderedTemplates?: boolean | undefined;
  /** Told how each load ended (after `apply`, when it applied). */
  readonly onOutcome?: ((outcome: LoadOutcome) => void) | undefined;
}

/** Serialised reloads of one configuration source. */
export class Reloader {
  readonly #options: ReloaderOptions;
  #lastFingerprint: string | undefined;
  /** Files rejected since the last good load (the provider itself when an error names no file). */
  readonly #rejected = new Set<string>();
  #reloading: Promise<ReloadResult> = Promise.resolve({ ok: true, changed: false });
  #waiters: ((result: ReloadResult) => void)[] = [];

  constructor(options: ReloaderOptions) {
    this.#options = options;
  }

  /** Loads now, after any load under way. */
  reload(): Promise<ReloadResult> {
    const once = () => this.#loadOnce();
    this.#reloading = this.#reloading.then(once, once).then((result) => {
      const pending = this.#waiters;
      this.#waiters = [];
      for (const resolve of pending) resolve(result);
      return result;
    });
    return this.#reloading;
  }

  /** Resolves after the next reload attempt finishes. */
  nextReload(): Promise<ReloadResult> {
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  async #loadOnce(): Promise<ReloadResult> {
    const { source, logger } = this.#options;
    if (source === undefined) return { ok: true, changed: false };
    let loaded: LoadedConfig;
    try {
      loaded = await source.load();
    } catch (error) {
      const file = error instanceof ProviderLoadError ? error.file : undefined;
      this.#rejected.add(file ?? 'the file provider');
      logger.error(
        { provider: 'file', file, err: error },
        `configuration rejected: ${(error as Error).message}; the last good configuration keeps serving`,
      );
      this.#options.onOutcome?.({ status: 'rejected', file, error: error as Error });
      return { ok: false, error: error as Error };
    }
    for (const notice of loaded.notices) logger.warn({ provider: 'file' }, notice);
    if (this.#options.logRenderedTemplates) {
      for (const [file, text] of loaded.rendered)
        logger.debug({ file, rendered: text }, 'generated template');
    }
    const print = fingerprint(loaded.config);
    const recovered = [...this.#rejected];
    if (recovered.length > 0) {
      this.#rejected.clear();
      logger.info(
        { provider: 'file', files: recovered },
        `configuration recovered after rejecting ${recovered.join(', ')}` +
          (print === this.#lastFingerprint ? ': it matches the configuration in service' : ''),
      );
    }
    if (print === this.#lastFingerprint) {
      logger.debug({ provider: 'file' }, 'configuration unchanged, skipped');
      this.#options.onOutcome?.({ status: 'unchanged', files: loaded.files, recovered });
      return { ok: true, changed: false };
    }
    this.#options.apply(loaded);
    this.#lastFingerprint = print;
    this.#options.onOutcome?.({ status: 'applied', files: loaded.files, recovered });
    return { ok: true, changed: true };
  }
}
