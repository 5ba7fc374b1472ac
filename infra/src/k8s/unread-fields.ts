/**
 * The kubernetes-models validators are ajv code compiled from each kind's OpenAPI schema without
 * `additionalProperties: false`, so they pass any unknown field. They do, however, read every property their
 * schema declares (and enumerate the keys of map-typed objects such as labels). Running one over a proxy that records
 * those reads turns it into an allow-list: a field the validator never looked at is a field the schema does not have.
 */

interface Visited {
  value: object;
  read: Set<string>;
}

function track(value: unknown, path: string, visited: Map<string, Visited>): unknown {
  if (value === null || typeof value !== 'object') return value;
  const read = new Set<string>();
  visited.set(path, { value, read });
  const children = new Map<string, unknown>();
  return new Proxy(value, {
    get(target, key, receiver) {
      const child: unknown = Reflect.get(target, key, receiver);
      if (typeof key !== 'string') return child;
      read.add(key);
      if (child === null || typeof child !== 'object') return child;
      if (!children.has(key)) children.set(key, track(child, `${path}/${key}`, visited));
      return children.get(key);
    },
    has(target, key) {
      if (typeof key === 'string') read.add(key);
      return Reflect.has(target, key);
    },
    ownKeys(target) {
      // Enumerating keys means the schema validates every key (a map): all of them are known.
      const keys = Reflect.ownKeys(target);
      for (const key of keys) if (typeof key === 'string') read.add(key);
      return keys;
    },
  });
}

/** Result of {@link validateTracked}. */
export interface TrackedValidation {
  /** The validator's own message, when it threw. */
  error: string | null;
  /** JSON pointers of the fields the validator never read, i.e. fields unknown to the schema. */
  unread: string[];
}

/**
 * Runs `validate` (which throws on schema errors) with `this` bound to a recording proxy of `data`, and reports
 * the object fields it never read. Array indexes are not fields, so arrays themselves are never reported.
 */
export function validateTracked(validate: (this: unknown) => void, data: object): TrackedValidation {
  const visited = new Map<string, Visited>();
  const proxy = track(data, '', visited);
  let error: string | null = null;
  try {
    validate.call(proxy);
  } catch (err) {
    error = err instanceof Error ? err.message : String(err);
  }
  const unread: string[] = [];
  for (const [path, { value, read }] of visited) {
    if (Array.isArray(value)) continue;
    for (const key of Object.keys(value)) if (!read.has(key)) unread.push(`${path}/${key}`);
  }
  return { error, unread };
}
