// Pieces several pages share: status filters, live figure cells, the status-code bar.

import { h } from '../dom.js';
import { codeClass, count, duration, rate } from '../format.js';

/** @typedef {import('../types.js').LiveTick} LiveTick */
/** @typedef {import('../types.js').SeriesKind} SeriesKind */
/** @typedef {import('../types.js').Resource} Resource */

/**
 * The filter of a list page, from the hash (`#/routers?status=disabled&search=api`).
 * @param {URLSearchParams} query
 */
function filterOf(query) {
  return { status: query.get('status') ?? '', search: (query.get('search') ?? '').toLowerCase() };
}

/**
 * What a list page starts from: its filter, the items it lets through, and live cells when the feed is on.
 * @template {Resource} T
 * @param {{ live: unknown, query: URLSearchParams }} context
 * @param {T[]} items
 * @param {(item: T) => string} [text] what the search looks in besides the name
 */
export function listState(context, items, text) {
  const filter = filterOf(context.query);
  return {
    filter,
    shown: applyFilter(items, filter, text),
    live: new LiveCells(),
    hasLive: context.live !== undefined,
  };
}

/**
 * @template {Resource} T
 * @param {T[]} items
 * @param {{ status: string, search: string }} filter
 * @param {(item: T) => string} [text] what the search looks in besides the name
 */
function applyFilter(items, filter, text = () => '') {
  return items.filter(
    (item) =>
      (filter.status === '' || item.status === filter.status) &&
      (filter.search === '' || `${item.name} ${text(item)}`.toLowerCase().includes(filter.search)),
  );
}

/**
 * The search box and status chips of a list page; changes go to the hash, which re-renders the page.
 * @param {string} page
 * @param {{ status: string, search: string }} filter
 * @param {Resource[]} items all of them, for the counts on the chips
 */
export function filterBar(page, filter, items) {
  const link = (/** @type {string} */ status, /** @type {string} */ search) => {
    const query = new URLSearchParams();
    if (status) query.set('status', status);
    if (search) query.set('search', search);
    const text = query.toString();
    return `#/${page}${text ? `?${text}` : ''}`;
  };
  const input = h('input', {
    type: 'search',
    placeholder: 'Filter by name…',
    value: filter.search,
    'aria-label': 'Filter by name',
  });
  input.addEventListener('change', () => {
    location.hash = link(filter.status, input.value.trim());
  });
  const chip = (/** @type {string} */ status, /** @type {string} */ label) => {
    const n = items.filter((item) => status === '' || item.status === status).length;
    return h(
      'a',
      { class: `chip${filter.status === status ? ' active' : ''}`, href: link(status, filter.search) },
      `${label} ${n}`,
    );
  };
  return h(
    'div',
    { class: 'filters' },
    input,
    chip('', 'All'),
    chip('enabled', 'Enabled'),
    chip('warning', 'Warnings'),
    chip('disabled', 'Errors'),
  );
}

/**
 * The errors or warnings of a resource, under its name.
 * @param {Resource} item
 */
export function problems(item) {
  if (!item.error || item.error.length === 0) return null;
  return h(
    'ul',
    { class: `problems ${item.status}` },
    item.error.map((message) => h('li', {}, message)),
  );
}

/**
 * Cells showing live figures of one series, updated on each tick.
 */
export class LiveCells {
  /** @type {{ kind: SeriesKind, name: string, field: 'rps' | 'p50' | 'p99' | 'errors', element: HTMLElement }[]} */
  #cells = [];

  /**
   * A cell for a series' figure.
   * @param {SeriesKind} kind
   * @param {string} name
   * @param {'rps' | 'p50' | 'p99' | 'errors'} field
   */
  cell(kind, name, field) {
    const element = h('span', {
      class: 'live-figure',
      'data-series': `${kind}/${name}`,
      'data-field': field,
    });
    this.#cells.push({ kind, name, field, element });
    return element;
  }

  /**
   * Writes the figures of `tick` (a dash for series without requests in the window).
   * @param {LiveTick | undefined} tick
   */
  update(tick) {
    for (const { kind, name, field, element } of this.#cells) {
      const summary = tick?.summary?.[kind]?.[name];
      let text = '—';
      if (summary && field === 'rps') text = rate(summary.rps);
      else if (summary && (field === 'p50' || field === 'p99')) text = duration(summary[field]);
      else if (summary && field === 'errors') {
        const failed = Object.entries(summary.codes)
          .filter(([code]) => code.startsWith('5'))
          .reduce((sum, [, n]) => sum + n, 0);
        text = summary.requests > 0 ? `${((100 * failed) / summary.requests).toFixed(1)} %` : '—';
        element.classList.toggle('bad', failed > 0);
      }
      element.textContent = text;
    }
  }
}

/**
 * A bar showing the share of each status code, with the codes and counts as its caption.
 * @param {Record<string, number>} codes
 * @param {(code: string) => string} [classOf] the colour class of a code (2xx ...)
 */
export function codeBar(codes, classOf = codeClass) {
  const entries = Object.entries(codes).sort(([a], [b]) => a.localeCompare(b));
  const total = entries.reduce((sum, [, n]) => sum + n, 0);
  if (total === 0) return h('span', { class: 'muted' }, '—');
  return h(
    'div',
    { class: 'codes' },
    h(
      'div',
      { class: 'bar', role: 'img', 'aria-label': entries.map(([c, n]) => `${c}: ${n}`).join(', ') },
      entries.map(([code, n]) =>
        h('span', { class: `seg c${classOf(code)}`, style: `width:${((100 * n) / total).toFixed(2)}%` }),
      ),
    ),
    h(
      'span',
      { class: 'legend' },
      entries.map(([code, n]) =>
        h('span', { class: `code c${classOf(code)}` }, `${code} `, h('b', {}, count(n))),
      ),
    ),
  );
}
