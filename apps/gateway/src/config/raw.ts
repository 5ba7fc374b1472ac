/**
 * Helpers for raw configuration trees (parsed YAML, flags, environment) before validation. Traefik matches
 * field names case-insensitively, so lookups and merges here do too.
 */

/** A raw configuration map as YAML produces it. */
export type RawMap = { [key: string]: unknown };

/** True for a plain map (not a list, not null). */
export function isRawMap(value: unknown): value is RawMap {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The key of `map` equal to `key` ignoring case, if any. */
export function findKey(map: RawMap, key: string): string | undefined {
  if (Object.hasOwn(map, key)) return key;
  const lower = key.toLowerCase();
  return Object.keys(map).find((k) => k.toLowerCase() === lower);
}

/** Reads a nested value by a case-insensitive key path. */
export function getIn(map: RawMap, path: readonly string[]): unknown {
  let node: unknown = map;
  for (const segment of path) {
    if (!isRawMap(node)) return undefined;
    const key = findKey(node, segment);
    if (key === undefined) return undefined;
    node = node[key];
  }
  return node;
}

/** Writes a nested value by a case-insensitive key path, creating maps on the way. */
export function setIn(map: RawMap, path: readonly string[], value: unknown): void {
  let node = map;
  path.forEach((segment, index) => {
    const key = findKey(node, segment) ?? segment;
    if (index === path.length - 1) {
      node[key] = value;
      return;
    }
    const next = node[key];
    if (!isRawMap(next)) node[key] = {};
    node = node[key] as RawMap;
  });
}

/** Deep-merges `override` into a copy of `base`; keys match case-insensitively, the override's value wins. */
export function mergeRaw(base: RawMap, override: RawMap): RawMap {
  const out: RawMap = { ...base };
  for (const [key, value] of Object.entries(override)) {
    const existing = findKey(out, key) ?? key;
    const current = out[existing];
    out[existing] = isRawMap(current) && isRawMap(value) ? mergeRaw(current, value) : value;
  }
  return out;
}
