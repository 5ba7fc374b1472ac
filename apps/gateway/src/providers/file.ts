/**
 * Traefik's file provider: reads `providers.file.filename` or every `.yml`/`.yaml` file of
 * `providers.file.directory` (name order, subdirectories included), renders each as a Go template, parses it as
 * YAML and merges the `http` sections, keeping the first definition of a name. Any file that cannot be read,
 * rendered or parsed rejects the whole load (`ProviderLoadError` naming the file), so a half-written change never
 * replaces a working configuration. `watch()` reports changes, throttled.
 */

import { readdir, readFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { renderTemplate } from '@gateway-pattern/go-template';
import { parseDocument } from 'yaml';
import {
  type DynamicConfig,
  emptyDynamicConfig,
  type ResourceKind,
  resourceKinds,
} from '../config/dynamic-config.ts';
import { findKey, isRawMap, type RawMap } from '../config/raw.ts';
import { ProviderLoadError } from '../errors.ts';
import { isKubeletEntry, type Watch, watchFile, watchTree } from './watch.ts';

/** Options of {@link FileProvider}. */
export interface FileProviderOptions {
  /** A directory of dynamic configuration files (exclusive with `filename`). */
  readonly directory?: string | undefined;
  /** A single dynamic configuration file (exclusive with `directory`). */
  readonly filename?: string | undefined;
  /** Environment that `{{ env "X" }}` reads. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Debounce window for change events, in milliseconds (`providers.providersThrottleDuration`). */
  readonly throttleMs: number;
}

/** What a load produced: the merged configuration, and notices worth a log line (duplicates, skipped files). */
export interface FileLoadResult {
  readonly config: DynamicConfig;
  readonly notices: readonly string[];
  /** The files read, in merge order. */
  readonly files: readonly string[];
  /** Rendered text of each file, for `debugLogGeneratedTemplate`. */
  readonly rendered: ReadonlyMap<string, string>;
}

const yamlExtensions = new Set(['.yml', '.yaml']);
const ignoredSections = new Set(['tcp', 'udp']);

/** The file provider (`name@file`). */
export class FileProvider {
  /** Provider name, the suffix of resource names (`router@file`). */
  readonly name = 'file';
  readonly #options: FileProviderOptions;
  #watch: Watch | undefined;
  #timer: NodeJS.Timeout | undefined;

  constructor(options: FileProviderOptions) {
    if ((options.directory === undefined) === (options.filename === undefined)) {
      throw new TypeError('FileProvider needs exactly one of directory or filename');
    }
    this.#options = options;
  }

  /** Reads every file and merges them. Throws {@link ProviderLoadError} naming the first bad file. */
  async load(): Promise<FileLoadResult> {
    const notices: string[] = [];
    const files =
      this.#options.directory !== undefined
        ? await listFiles(this.#options.directory, notices)
        : [this.#options.filename as string];
    const config = emptyDynamicConfig();
    const rendered = new Map<string, string>();
    for (const file of files) {
      const { document, text } = await this.#readFile(file);
      rendered.set(file, text);
      mergeFile(config, document, file, notices);
    }
    return { config, notices, files, rendered };
  }

  /**
   * Calls `onChange` after files change, at most once per throttle window. Directory mode watches every
   * directory of the tree (Traefik does not watch subdirectories, #3986); filename mode watches the parent
   * directory. Either way files replaced by a rename, deleted and re-created, or swapped in by a ConfigMap
   * update keep being seen (`watch.ts`).
   */
  watch(onChange: () => void, onError: (error: Error) => void): void {
    if (this.#watch) return;
    const schedule = () => {
      if (this.#timer) return;
      this.#timer = setTimeout(() => {
        this.#timer = undefined;
        onChange();
      }, this.#options.throttleMs);
    };
    const { directory, filename } = this.#options;
    this.#watch =
      directory !== undefined
        ? watchTree(directory, schedule, onError)
        : watchFile(filename as string, schedule, onError);
  }

  /** Stops watching. */
  close(): void {
    this.#watch?.close();
    this.#watch = undefined;
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  async #readFile(file: string): Promise<{ document: unknown; text: string }> {
    let source: string;
    try {
      source = await readFile(file, 'utf8');
    } catch (error) {
      throw new ProviderLoadError(file, `cannot read: ${(error as Error).message}`, { cause: error });
    }
    let text: string;
    try {
      text = renderTemplate(source, { name: file, env: this.#options.env });
    } catch (error) {
      throw new ProviderLoadError(file, (error as Error).message, { cause: error });
    }
    const document = parseDocument(text, { merge: true, prettyErrors: true });
    const [first] = document.errors;
    if (first) {
      const where = first.linePos?.[0];
      const at = where ? ` (line ${where.line}, column ${where.col})` : '';
      throw new ProviderLoadError(file, `invalid YAML${at}: ${first.message.split('\n')[0]}`, {
        cause: first,
      });
    }
    try {
      return { document: document.toJS({ maxAliasCount: 100 }), text };
    } catch (error) {
      // yaml refuses an alias bomb only while building the values, with a plain ReferenceError.
      throw new ProviderLoadError(file, `invalid YAML: ${(error as Error).message}`, { cause: error });
    }
  }
}

/**
 * Supported files of a directory in name order, with subdirectories' files at their place in that order; the
 * kubelet's `..*` entries are skipped.
 */
async function listFiles(directory: string, notices: string[]): Promise<string[]> {
  let entries: import('node:fs').Dirent[];
  try {
    entries = await readdir(directory, { withFileTypes: true });
  } catch (error) {
    throw new ProviderLoadError(directory, `cannot read directory: ${(error as Error).message}`, {
      cause: error,
    });
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const files: string[] = [];
  for (const entry of entries) {
    // A mounted ConfigMap holds each file twice: as `name`, a symlink through `..data`, and inside the
    // kubelet's timestamped `..<time>` directory. Only the symlinks are the configuration.
    if (isKubeletEntry(entry.name)) continue;
    const path = join(directory, entry.name);
    if (entry.isDirectory()) {
      files.push(...(await listFiles(path, notices)));
      continue;
    }
    const extension = extname(entry.name).toLowerCase();
    if (yamlExtensions.has(extension)) files.push(path);
    else if (extension === '.toml')
      notices.push(`${path}: TOML is not supported by this gateway, file skipped`);
  }
  return files;
}

function mergeFile(config: DynamicConfig, document: unknown, file: string, notices: string[]): void {
  if (document === null || document === undefined) return;
  if (!isRawMap(document)) throw new ProviderLoadError(file, 'the top level must be a map');
  for (const key of Object.keys(document)) {
    const lower = key.toLowerCase();
    if (lower === 'http') continue;
    if (lower === 'tls') {
      mergeTls(config.tls, document[key], file, notices);
      continue;
    }
    notices.push(
      ignoredSections.has(lower)
        ? `${file}: the "${key}" section is not supported by this gateway, ignored`
        : `${file}: unknown top-level section "${key}", ignored`,
    );
  }
  const httpKey = findKey(document, 'http');
  const http = httpKey === undefined ? null : document[httpKey];
  if (http === null) return;
  if (!isRawMap(http)) throw new ProviderLoadError(file, '"http" must be a map');
  for (const key of Object.keys(http)) {
    if (!resourceKinds.some((kind) => kind.toLowerCase() === key.toLowerCase())) {
      notices.push(`${file}: unknown section "http.${key}", ignored`);
    }
  }
  for (const kind of resourceKinds) {
    const kindKey = findKey(http, kind);
    const section = kindKey === undefined ? null : http[kindKey];
    if (section === null) continue;
    if (!isRawMap(section)) throw new ProviderLoadError(file, `"http.${kind}" must be a map of names`);
    mergeSection(config[kind], section, kind, file, notices);
  }
}

/**
 * `tls.certificates` (a list of `{certFile, keyFile}`) and `tls.stores.default.defaultCertificate`; validated
 * when the certificates are loaded (`tls/certificates.ts`); `tls.options`, built with the routers
 * (`tls/options.ts`). Stores other than `default` are not supported.
 */
function mergeTls(target: DynamicConfig['tls'], section: unknown, file: string, notices: string[]): void {
  if (section === null || section === undefined) return;
  if (!isRawMap(section)) throw new ProviderLoadError(file, '"tls" must be a map');
  for (const key of Object.keys(section)) {
    const lower = key.toLowerCase();
    if (lower === 'certificates') {
      const list = section[key];
      if (list === null) continue;
      if (!Array.isArray(list)) throw new ProviderLoadError(file, '"tls.certificates" must be a list');
      for (const raw of list) target.certificates.push({ raw, source: file });
    } else if (lower === 'stores') {
      const stores = section[key];
      if (!isRawMap(stores)) throw new ProviderLoadError(file, '"tls.stores" must be a map');
      for (const [name, store] of Object.entries(stores)) {
        const defaultKey = isRawMap(store) ? findKey(store, 'defaultCertificate') : undefined;
        if (name !== 'default' || !isRawMap(store)) {
          notices.push(`${file}: TLS store "${name}" is not supported (only "default"), ignored`);
        } else if (defaultKey !== undefined) {
          if (target.defaultCertificate === undefined)
            target.defaultCertificate = { raw: store[defaultKey], source: file };
          else
            notices.push(
              `${file}: a default certificate is already defined in ${target.defaultCertificate.source}, this one is skipped`,
            );
        }
      }
    } else if (lower === 'options') {
      const options = section[key];
      if (options === null) continue;
      if (!isRawMap(options)) throw new ProviderLoadError(file, '"tls.options" must be a map of names');
      mergeSection(target.options, options, 'TLS options', file, notices);
    } else {
      notices.push(`${file}: "tls.${key}" is not supported by this gateway, ignored`);
    }
  }
}

function mergeSection(
  target: DynamicConfig[ResourceKind],
  section: RawMap,
  kind: string,
  file: string,
  notices: string[],
): void {
  for (const [name, raw] of Object.entries(section)) {
    const existing = target.get(name);
    if (existing) {
      notices.push(
        `${kind.slice(0, -1)} "${name}" defined again in ${file} is skipped: the first definition, in ${existing.source}, is kept`,
      );
      continue;
    }
    target.set(name, { raw, source: file });
  }
}
