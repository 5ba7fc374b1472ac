// Middlewares: type, settings (secrets masked), who uses each, and for forwardAuth its live decisions.

import { api } from '../api.js';
import { badge, h, table } from '../dom.js';
import { rate } from '../format.js';
import { maskSecrets } from '../mask.js';
import { filterBar, listState, problems } from './common.js';

/** @typedef {import('../app.js').Context} Context */
/** @typedef {import('../app.js').View} View */
/** @typedef {import('../types.js').Middleware} Middleware */
/** @typedef {import('../types.js').LiveTick} LiveTick */

const meta = new Set(['status', 'error', 'name', 'provider', 'usedBy', 'type']);

/**
 * @param {Context} context
 * @returns {Promise<View>}
 */
export async function middlewaresPage(context) {
  const middlewares = await api.middlewares();
  const { filter, shown, hasLive } = listState(context, middlewares, (m) => m.type ?? '');
  /** @type {{ name: string, element: HTMLElement }[]} */
  const decisionCells = [];

  const node = h(
    'div',
    {},
    filterBar('middlewares', filter, middlewares),
    table(
      ['Status', 'Name', 'Type', 'Settings', 'Used by', ...(hasLive ? ['Decisions'] : [])],
      shown.map((middleware) => {
        let decisions = null;
        if (hasLive && middleware.type === 'forwardauth') {
          decisions = h(
            'span',
            { class: 'live-figure decisions', 'data-series': `decisions/${middleware.name}` },
            '—',
          );
          decisionCells.push({ name: middleware.name, element: decisions });
        }
        return [
          badge(middleware.status),
          h('div', { class: 'name' }, h('b', {}, middleware.name), problems(middleware)),
          middleware.type ?? '—',
          settings(middleware),
          (middleware.usedBy ?? []).join(', ') || '—',
          ...(hasLive ? [decisions ?? '—'] : []),
        ];
      }),
      { empty: 'No middleware matches.', rowClass: (i) => `row-${shown[i]?.status ?? ''}` },
    ),
  );
  const tick = () => {
    const summary = context.live?.last?.decisionSummary ?? {};
    for (const { name, element } of decisionCells) {
      const d = summary[name];
      element.textContent = d
        ? `allowed ${rate(d.perSecond.allowed)} · denied ${rate(d.perSecond.denied)} · error ${rate(d.perSecond.error)}`
        : '—';
    }
  };
  return { node, tick };
}

/**
 * The middleware's own settings (under its type's key), masked.
 * @param {Middleware} middleware
 */
function settings(middleware) {
  /** @type {Record<string, unknown>} */
  const config = {};
  for (const [key, value] of Object.entries(middleware)) if (!meta.has(key)) config[key] = value;
  return tree(maskSecrets(config));
}

/**
 * A nested key: value list; lists of scalars on one line.
 * @param {unknown} value
 * @returns {Node}
 */
function tree(value) {
  if (Array.isArray(value) && value.every((item) => item === null || typeof item !== 'object')) {
    return h('span', { class: 'value' }, value.length === 0 ? '[]' : value.map(String).join(', '));
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value);
    if (entries.length === 0) return h('span', { class: 'value muted' }, '{}');
    return h(
      'dl',
      { class: 'settings' },
      entries.flatMap(([key, item]) => [h('dt', {}, key), h('dd', {}, tree(item))]),
    );
  }
  return h('span', { class: 'value' }, String(value));
}
