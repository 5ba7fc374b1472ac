// The dashboard's shell: navigation by the URL's hash (#/routers?status=disabled), one view at a time, API
// data refreshed every few seconds (the configuration hot-reloads), and the live feed when metrics are on.

import { api } from './api.js';
import { h, replace } from './dom.js';
import { LiveStore } from './live.js';
import { historyPage } from './pages/history.js';
import { liveViewPage } from './pages/live-view.js';
import { middlewaresPage } from './pages/middlewares.js';
import { overviewPage } from './pages/overview.js';
import { routersPage } from './pages/routers.js';
import { servicesPage } from './pages/services.js';

/**
 * What a page gets: the live feed (undefined when metrics are off) and its hash's query.
 * @typedef {{ live: LiveStore | undefined, query: URLSearchParams }} Context
 */
/**
 * A rendered page: its node, what to do on each live tick, and what to release when left.
 * @typedef {{ node: Node, tick?: () => void, destroy?: () => void }} View
 */

/** @type {Record<string, { title: string, build: (context: Context) => Promise<View>, refresh: boolean }>} */
const pages = {
  overview: { title: 'Overview', build: overviewPage, refresh: true },
  routers: { title: 'Routers', build: routersPage, refresh: true },
  services: { title: 'Services', build: servicesPage, refresh: true },
  middlewares: { title: 'Middlewares', build: middlewaresPage, refresh: true },
  live: { title: 'Live', build: liveViewPage, refresh: false },
  history: { title: 'History', build: historyPage, refresh: true },
};

const REFRESH_MS = 5000;

const main = /** @type {HTMLElement} */ (document.getElementById('main'));
const nav = /** @type {HTMLElement} */ (document.getElementById('nav'));
const liveBadge = /** @type {HTMLElement} */ (document.getElementById('live-badge'));

/** @type {View | undefined} */
let current;
let generation = 0;

/** The page and query the hash names. */
function currentRoute() {
  const [path = '', query = ''] = location.hash.replace(/^#\/?/, '').split('?');
  const name = path in pages ? path : 'overview';
  return { name, query: new URLSearchParams(query) };
}

/**
 * Builds the page the hash names; `refresh` keeps the scroll position.
 * @param {Context['live']} live
 * @param {boolean} refresh
 */
async function show(live, refresh) {
  const { name, query } = currentRoute();
  const page = pages[name] ?? pages.overview;
  if (!page) return;
  const mine = ++generation;
  for (const link of nav.querySelectorAll('a')) {
    link.classList.toggle('active', link.getAttribute('href') === `#/${name}`);
    if (link.getAttribute('href') === `#/${name}`) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  document.title = `${page.title} · gateway dashboard`;
  let view;
  try {
    view = await page.build({ live, query });
  } catch (error) {
    if (mine !== generation) return;
    if (!refresh) replace(main, h('p', { class: 'notice bad' }, `Could not load: ${String(error)}`));
    return;
  }
  if (mine !== generation) {
    view.destroy?.();
    return;
  }
  const scroll = window.scrollY;
  current?.destroy?.();
  current = view;
  replace(main, h('h1', {}, page.title), view.node);
  view.tick?.();
  if (refresh) window.scrollTo(0, scroll);
}

async function start() {
  const overview = await api.overview().catch(() => undefined);
  const live = overview?.features.metrics ? new LiveStore() : undefined;
  nav.replaceChildren(
    ...Object.entries(pages).map(([name, page]) => h('a', { href: `#/${name}` }, page.title)),
  );
  if (live) {
    live.subscribe(() => {
      liveBadge.textContent = live.connected ? 'live' : 'reconnecting';
      liveBadge.className = `live-badge ${live.connected ? 'on' : 'off'}`;
      current?.tick?.();
    });
    live.open();
  } else {
    liveBadge.textContent = 'metrics off';
    liveBadge.className = 'live-badge off';
  }
  window.addEventListener('hashchange', () => void show(live, false));
  await show(live, false);
  setInterval(() => {
    const { name } = currentRoute();
    // Not while someone types in the filter, nor for a hidden tab.
    const typing = document.activeElement instanceof HTMLInputElement;
    if (pages[name]?.refresh && !typing && document.visibilityState === 'visible') void show(live, true);
  }, REFRESH_MS);
}

void start();
