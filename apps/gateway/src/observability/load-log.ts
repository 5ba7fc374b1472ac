/**
 * The log lines of a configuration load: one error per disabled resource, one warning per resource with a
 * warning, and an info summary with the counts, so an operator sees at a glance what the load left out.
 */

import type { ResourceKind } from '../config/dynamic-config.ts';
import type { ResourceInfo, RuntimeInfo } from '../runtime/info.ts';
import type { Logger } from './logger.ts';

/** What a load produced, for its log lines. */
export interface LoadSummary {
  /** Files read. */
  readonly files: number;
  /** Resources defined, per kind. */
  readonly defined: Readonly<Record<ResourceKind, number>>;
  /** What the build made of them. */
  readonly info: RuntimeInfo;
}

/** Logs a load that was applied. */
export function logLoaded(logger: Logger, { files, defined, info }: LoadSummary): void {
  const routers = tally(info.routers.values());
  const services = tally(info.services.values());
  const middlewares = tally(info.middlewares.values());
  for (const kind of ['routers', 'services', 'middlewares', 'serversTransports'] as const) {
    for (const item of info[kind].values()) {
      if (item.status === 'disabled') {
        logger.error(
          { resource: item.name, source: item.source, errors: item.errors },
          `${item.name} disabled: ${item.errors.join('; ')}`,
        );
      } else if (item.status === 'warning') {
        logger.warn(
          { resource: item.name, source: item.source, errors: item.errors },
          `${item.name}: ${item.errors.join('; ')}`,
        );
      }
    }
  }
  logger.info(
    { provider: 'file', files, defined, routers, services, middlewares },
    `configuration loaded: ${files} file(s), ${defined.routers} routers (${routers.disabled} disabled), ` +
      `${defined.services} services (${services.disabled} disabled), ${defined.middlewares} middlewares ` +
      `(${middlewares.disabled} disabled)`,
  );
}

function tally(items: Iterable<ResourceInfo>): { enabled: number; disabled: number } {
  let enabled = 0;
  let disabled = 0;
  for (const item of items) {
    if (item.status === 'disabled') disabled++;
    else enabled++;
  }
  return { enabled, disabled };
}
