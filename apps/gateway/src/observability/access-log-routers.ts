/**
 * Routers whose requests stay out of the access log: `observability.accessLogs: false` on the router (Traefik
 * v3.1+; unset means true). Worked out once per runtime (each configuration load), so a request costs one
 * set lookup.
 */

import type { RuntimeInfo } from '../runtime/info.ts';

const cache = new WeakMap<RuntimeInfo, ReadonlySet<string>>();

/** The qualified names of the routers with `observability.accessLogs: false` in this runtime. */
export function routersWithoutAccessLog(info: RuntimeInfo): ReadonlySet<string> {
  let names = cache.get(info);
  if (names === undefined) {
    const off = new Set<string>();
    for (const [name, router] of info.routers) {
      const observability = router.config.observability as { accessLogs?: unknown } | undefined;
      if (observability?.accessLogs === false) off.add(name);
    }
    names = off;
    cache.set(info, names);
  }
  return names;
}
