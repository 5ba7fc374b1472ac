// The gateway's API, relative to the dashboard (/dashboard/ → /api/), so a path prefix in front still works.

/** @typedef {import('./types.js').Router} Router */
/** @typedef {import('./types.js').Service} Service */
/** @typedef {import('./types.js').Middleware} Middleware */
/** @typedef {import('./types.js').Overview} Overview */
/** @typedef {import('./types.js').EntryPoint} EntryPoint */
/** @typedef {import('./types.js').Version} Version */
/** @typedef {import('./types.js').HistoryEntry} HistoryEntry */

const base = new URL('../api/', document.baseURI);

/**
 * Fetches one API path as JSON.
 * @template T
 * @param {string} path relative to /api/
 * @returns {Promise<T>}
 */
export async function getJson(path) {
  const response = await fetch(new URL(path, base), { headers: { accept: 'application/json' } });
  if (!response.ok) throw new Error(`${path}: ${response.status} ${response.statusText}`);
  return /** @type {Promise<T>} */ (response.json());
}

/** The URL of the live feed. */
export const liveUrl = new URL('live', base);

export const api = {
  /** @returns {Promise<Overview>} */
  overview: () => getJson('overview'),
  /** @returns {Promise<Version>} */
  version: () => getJson('version'),
  /** @returns {Promise<EntryPoint[]>} */
  entryPoints: () => getJson('entrypoints'),
  /** @returns {Promise<Router[]>} */
  routers: () => getJson('http/routers?per_page=1000'),
  /** @returns {Promise<Service[]>} */
  services: () => getJson('http/services?per_page=1000'),
  /** @returns {Promise<Middleware[]>} */
  middlewares: () => getJson('http/middlewares?per_page=1000'),
  /** @returns {Promise<HistoryEntry[]>} */
  history: () => getJson('history'),
};
