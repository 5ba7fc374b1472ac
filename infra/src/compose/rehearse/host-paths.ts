/**
 * Container paths → paths on this machine, for running a container's command as a plain process: each bind mount
 * of the service, then the image's application directory, which the Dockerfile fills from the build context
 * (the repository), so the checkout stands in for it. Whether the image really holds those files is the image
 * build's business, which the rehearsal does not check.
 */

import { posix } from 'node:path';
import type { BindMount } from '../compose-file.ts';

/** Where the Dockerfile puts the build context (its runtime stage copies the pruned workspace to /app). */
export const IMAGE_APP_DIR = '/app';

/** A container path has no counterpart here. */
export class UnmappedPathError extends Error {
  readonly code = 'PATH_UNMAPPED';
}

/** Maps container paths onto host paths, the longest matching mount first. */
export class HostPaths {
  readonly #mounts: { target: string; source: string }[];

  constructor(mounts: readonly BindMount[], buildContext: string) {
    this.#mounts = [...mounts, { target: IMAGE_APP_DIR, source: buildContext, readOnly: true }]
      .map(({ target, source }) => ({ target: posix.normalize(target), source }))
      .sort((a, b) => b.target.length - a.target.length);
  }

  /** The host path of an absolute container path, or undefined when no mount covers it. */
  find(path: string): string | undefined {
    if (!path.startsWith('/')) return undefined;
    const normal = posix.normalize(path);
    for (const { target, source } of this.#mounts) {
      if (normal === target) return source;
      if (normal.startsWith(`${target}/`)) return posix.join(source, normal.slice(target.length + 1));
    }
    return undefined;
  }

  /** Like {@link find}, but throws {@link UnmappedPathError}. */
  get(path: string): string {
    const found = this.find(path);
    if (found === undefined)
      throw new UnmappedPathError(`${path} is neither mounted nor under ${IMAGE_APP_DIR}`);
    return found;
  }

  /** A command-line argument or variable value, with a leading container path (or one after `=`) mapped. */
  value(text: string): string {
    const whole = this.find(text);
    if (whole !== undefined) return whole;
    const eq = text.indexOf('=');
    if (eq !== -1) {
      const after = this.find(text.slice(eq + 1));
      if (after !== undefined) return `${text.slice(0, eq + 1)}${after}`;
    }
    return text;
  }
}
