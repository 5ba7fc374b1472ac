// The live view: requests per second and latency per router, service or entrypoint over the sampler's window,
// the status codes and p50 / p99 over it, and the decisions of each forwardAuth middleware. Moves with every
// tick of the feed.

import { lineChart } from '../charts.js';
import { h, replace, section, table } from '../dom.js';
import { count, duration, rate } from '../format.js';
import { codeBar } from './common.js';

/** @typedef {import('../app.js').Context} Context */
/** @typedef {import('../app.js').View} View */
/** @typedef {import('../types.js').SeriesKind} SeriesKind */
/** @typedef {import('../live.js').LiveStore} LiveStore */

/** The most series a chart draws (the busiest ones); the tables list them all. */
const MAX_LINES = 8;
/** @type {SeriesKind[]} */
const kinds = ['routers', 'services', 'entrypoints'];

/**
 * @param {Context} context
 * @returns {Promise<View>}
 */
export async function liveViewPage(context) {
  const store = context.live;
  if (store === undefined) {
    return {
      node: h(
        'div',
        { class: 'notice' },
        h('p', {}, 'Live figures come from the Prometheus metrics, which are off.'),
        h('p', {}, 'Turn them on in the static configuration:'),
        h('pre', {}, 'metrics:\n  prometheus:\n    addRoutersLabels: true'),
      ),
    };
  }
  const asked = context.query.get('kind');
  /** @type {SeriesKind} */
  const kind = kinds.find((k) => k === asked) ?? 'routers';

  const rps = lineChart({ title: 'Requests per second', unit: '/s', format: (v) => rate(v) });
  const p99 = lineChart({ title: 'Latency p99', unit: 's', format: (v) => duration(v) });
  const status = h('p', { class: 'muted live-status' });
  const hint = h('div');
  const seriesTable = h('div');
  const decisionsTable = h('div');
  const node = h(
    'div',
    {},
    h(
      'nav',
      { class: 'filters', 'aria-label': 'Series' },
      kinds.map((k) => h('a', { class: `chip${k === kind ? ' active' : ''}`, href: `#/live?kind=${k}` }, k)),
    ),
    status,
    hint,
    h('div', { class: 'charts' }, rps.element, p99.element),
    section(`Per ${kind.replace(/s$/, '')}`),
    seriesTable,
    section('forwardAuth decisions'),
    decisionsTable,
  );

  const tick = () => {
    const last = store.last;
    const summaries = last?.summary?.[kind] ?? {};
    const names = Object.keys(summaries).sort(
      (a, b) => (summaries[b]?.requests ?? 0) - (summaries[a]?.requests ?? 0) || a.localeCompare(b),
    );
    status.textContent =
      `${store.connected ? 'Live' : 'Reconnecting…'} · a sample every ${store.intervalMs / 1000} s, ` +
      `the last ${Math.round(store.windowMs / 60_000)} min · requests per second over the last ` +
      `${store.recentMs / 1000} s, codes and quantiles over the whole window`;
    status.classList.toggle('bad', !store.connected);
    hintFor(hint, store, kind);
    drawCharts(store, kind, names.slice(0, MAX_LINES), rps, p99);
    replace(
      seriesTable,
      table(
        ['Name', 'Req/s', 'In window', 'Status codes', 'p50', 'p99'],
        names.map((name) => {
          const s = summaries[name];
          return [
            h('b', {}, name),
            rate(s?.rps),
            count(s?.requests ?? 0),
            codeBar(s?.codes ?? {}),
            duration(s?.p50),
            duration(s?.p99),
          ];
        }),
        { empty: 'No requests in the window yet: send some, the figures follow within a second.' },
      ),
    );
    const decisions = last?.decisionSummary ?? {};
    replace(
      decisionsTable,
      table(
        ['Middleware', 'Allowed', 'Denied', 'Auth server error', 'In window'],
        Object.entries(decisions)
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([name, d]) => [
            h('b', {}, name),
            rate(d.perSecond.allowed),
            rate(d.perSecond.denied),
            rate(d.perSecond.error),
            codeBar({ allowed: d.allowed, denied: d.denied, error: d.error }, decisionClass),
          ]),
        { empty: 'No forwardAuth decisions in the window.' },
      ),
    );
  };
  return {
    node,
    tick,
    destroy: () => {
      rps.destroy();
      p99.destroy();
    },
  };
}

/**
 * Decisions in the colours of the answers they lead to.
 * @param {string} decision
 */
function decisionClass(decision) {
  return decision === 'allowed' ? '2xx' : decision === 'denied' ? '4xx' : '5xx';
}

/**
 * @param {LiveStore} store
 * @param {SeriesKind} kind
 * @param {string[]} names
 * @param {import('../charts.js').LineChart} rps
 * @param {import('../charts.js').LineChart} p99
 */
function drawCharts(store, kind, names, rps, p99) {
  const ticks = store.ticks;
  const seconds = store.intervalMs / 1000;
  const x = ticks.map((t) => t.time / 1000);
  rps.update(
    x,
    names.map((name) => ({
      label: name,
      values: ticks.map((t) => (t.points[kind]?.[name]?.requests ?? 0) / seconds),
    })),
  );
  p99.update(
    x,
    names.map((name) => ({ label: name, values: ticks.map((t) => t.points[kind]?.[name]?.p99 ?? null) })),
  );
}

/**
 * Router figures need `addRoutersLabels`, off by default as in Traefik: say so when only services have some.
 * @param {HTMLElement} hint
 * @param {LiveStore} store
 * @param {SeriesKind} kind
 */
function hintFor(hint, store, kind) {
  const summary = store.last?.summary;
  const missing =
    kind === 'routers' &&
    Object.keys(summary?.routers ?? {}).length === 0 &&
    Object.keys(summary?.services ?? {}).length > 0;
  replace(
    hint,
    missing
      ? h(
          'p',
          { class: 'notice' },
          'Services have traffic but routers show none: per-router metrics need ',
          h('code', {}, 'metrics.prometheus.addRoutersLabels: true'),
          ' (off by default, as in Traefik).',
        )
      : null,
  );
}
