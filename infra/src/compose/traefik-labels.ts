/**
 * Traefik's docker-provider labels (`traefik.http.routers.<name>.rule=...`) read back into routers, middlewares
 * and services, so they can be compared with the file provider's configuration. Keys stay as written (Traefik
 * matches them case-insensitively); values stay strings, as labels are.
 */

/** A label this reader does not know: not one of Traefik's HTTP label families. */
export class TraefikLabelError extends Error {
  readonly code = 'TRAEFIK_LABEL_UNKNOWN';
}

/** One middleware: its type (`forwardauth`, `stripPrefix`...) and options by dotted path. */
export interface LabelMiddleware {
  readonly type: string;
  readonly options: Record<string, string>;
}

/** What one container's labels declare. */
export interface TraefikLabels {
  readonly enabled: boolean;
  /** Router options by dotted path (`rule`, `entryPoints`, `tls.certResolver`...). */
  readonly routers: Record<string, Record<string, string>>;
  readonly middlewares: Record<string, LabelMiddleware>;
  /** Service options by dotted path (`loadBalancer.server.port`...). */
  readonly services: Record<string, Record<string, string>>;
}

/** Reads the `traefik.*` labels of one container; other labels are ignored. */
export function parseTraefikLabels(labels: Readonly<Record<string, string>>): TraefikLabels {
  const parsed: TraefikLabels = { enabled: false, routers: {}, middlewares: {}, services: {} };
  for (const [key, value] of Object.entries(labels)) {
    const parts = key.split('.');
    if (parts[0]?.toLowerCase() !== 'traefik') continue;
    const family = parts.slice(1, 3).join('.').toLowerCase();
    if (parts.length === 2 && parts[1]?.toLowerCase() === 'enable') {
      (parsed as { enabled: boolean }).enabled = value.toLowerCase() === 'true';
    } else if (family === 'docker.network') {
      // Which network to reach the container on: not routing configuration.
    } else if (parts.length >= 5 && family === 'http.routers') {
      const name = parts[3] as string;
      parsed.routers[name] ??= {};
      (parsed.routers[name] as Record<string, string>)[parts.slice(4).join('.')] = value;
    } else if (parts.length >= 6 && family === 'http.middlewares') {
      const name = parts[3] as string;
      const type = parts[4] as string;
      const existing = parsed.middlewares[name];
      if (existing && existing.type.toLowerCase() !== type.toLowerCase()) {
        throw new TraefikLabelError(`${key}: middleware ${name} is already a ${existing.type}`);
      }
      const middleware = existing ?? { type, options: {} };
      middleware.options[parts.slice(5).join('.')] = value;
      parsed.middlewares[name] = middleware;
    } else if (parts.length >= 5 && family === 'http.services') {
      const name = parts[3] as string;
      parsed.services[name] ??= {};
      (parsed.services[name] as Record<string, string>)[parts.slice(4).join('.')] = value;
    } else {
      throw new TraefikLabelError(`${key}: not a Traefik HTTP router, middleware or service label`);
    }
  }
  return parsed;
}

/** A value from the file provider as a label would spell it: lists comma-joined, the rest as text. */
export function asLabelValue(value: unknown): string {
  if (Array.isArray(value)) return value.map(String).join(',');
  return String(value);
}

/** Flattens a file-provider object into dotted paths (case kept), the shape labels use. */
export function flatten(value: unknown, prefix = ''): Record<string, string> {
  const out: Record<string, string> = {};
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const [key, item] of Object.entries(value)) {
      const path = prefix === '' ? key : `${prefix}.${key}`;
      if (item !== null && typeof item === 'object' && !Array.isArray(item) && Object.keys(item).length > 0) {
        Object.assign(out, flatten(item, path));
      } else
        out[path] =
          item !== null && typeof item === 'object' && !Array.isArray(item) ? 'true' : asLabelValue(item);
    }
  }
  return out;
}

/** The same options with keys lower-cased (Traefik reads both spellings alike). */
export function caseless(options: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(options).map(([k, v]) => [k.toLowerCase(), v]));
}
