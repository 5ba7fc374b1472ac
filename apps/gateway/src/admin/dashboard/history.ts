/**
 * The configuration history behind `/api/history`: each load of the dynamic configuration, newest first, with
 * its time, the files it read and what it made of them, and each rejected change with the file at fault and
 * its error (Traefik users ask where their change went: traefik/traefik#8921). Bounded, in memory.
 */

import { relative, sep } from 'node:path';
import type { RuntimeInfo } from '../../runtime/info.ts';
import type { LoadOutcome } from '../../runtime/reloader.ts';
import { type ResourceCounts, resourceCounts } from '../api.ts';

/** One reload, as `/api/history` serves it. */
export interface HistoryEntry {
  /** 1 for the first load since start, then counting up. */
  readonly id: number;
  /** ISO 8601. */
  readonly time: string;
  /** `applied` (built and serving), `unchanged` (the same as the one in service), `rejected` (nothing changed). */
  readonly status: 'applied' | 'unchanged' | 'rejected';
  /** The files read, relative to the provider's directory. */
  readonly files?: readonly string[];
  /** The file at fault (rejected). */
  readonly file?: string;
  readonly error?: string;
  /** Files rejected before this load fixed them. */
  readonly recovered?: readonly string[];
  /** What the load enabled (applied). */
  readonly routers?: ResourceCounts;
  readonly services?: ResourceCounts;
  readonly middlewares?: ResourceCounts;
  /** The resources the load disabled, with their errors (applied). */
  readonly disabled?: readonly { readonly name: string; readonly error: readonly string[] }[];
}

/** The last `limit` reloads. */
export class ConfigHistory {
  readonly #entries: HistoryEntry[] = [];
  readonly #limit: number;
  readonly #base: string | undefined;
  readonly #info: () => RuntimeInfo;
  readonly #now: () => Date;
  #next = 1;

  /**
   * `info` gives the runtime in service (read when a load was applied); `base` is the provider's directory,
   * which file names are shown relative to.
   */
  constructor(options: {
    readonly info: () => RuntimeInfo;
    readonly base?: string | undefined;
    readonly limit?: number;
    readonly now?: () => Date;
  }) {
    this.#info = options.info;
    this.#base = options.base;
    this.#limit = options.limit ?? 100;
    this.#now = options.now ?? (() => new Date());
  }

  /** Records a reload; one that changed nothing and put nothing right is left out (an editor's extra save). */
  record(outcome: LoadOutcome): void {
    if (outcome.status === 'unchanged' && outcome.recovered.length === 0) return;
    const common = { id: this.#next++, time: this.#now().toISOString() };
    let entry: HistoryEntry;
    if (outcome.status === 'rejected') {
      entry = {
        ...common,
        status: 'rejected',
        ...(outcome.file !== undefined ? { file: this.#name(outcome.file) } : {}),
        error: this.#shorten(outcome.error.message),
      };
    } else {
      const recovered =
        outcome.recovered.length > 0 ? { recovered: outcome.recovered.map((f) => this.#name(f)) } : {};
      entry = {
        ...common,
        status: outcome.status,
        files: outcome.files.map((f) => this.#name(f)),
        ...recovered,
      };
      if (outcome.status === 'applied') {
        const info = this.#info();
        const all = [...info.routers.values(), ...info.services.values(), ...info.middlewares.values()];
        entry = {
          ...entry,
          routers: resourceCounts(info.routers.values()),
          services: resourceCounts(info.services.values()),
          middlewares: resourceCounts(info.middlewares.values()),
          disabled: all
            .filter((item) => item.status === 'disabled')
            .map((item) => ({ name: item.name, error: [...item.errors] })),
        };
      }
    }
    this.#entries.unshift(entry);
    if (this.#entries.length > this.#limit) this.#entries.length = this.#limit;
  }

  /** Newest first. */
  entries(): readonly HistoryEntry[] {
    return this.#entries;
  }

  /** An error message with the provider's directory left out of the paths it names. */
  #shorten(message: string): string {
    return this.#base === undefined ? message : message.replaceAll(`${this.#base}${sep}`, '');
  }

  #name(file: string): string {
    if (this.#base === undefined) return file;
    const name = relative(this.#base, file);
    return name === '' || name.startsWith('..') ? file : name;
  }
}
