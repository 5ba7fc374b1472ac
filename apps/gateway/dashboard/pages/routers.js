// Routers: rule, priority, entrypoints, the middleware chain in order, service, TLS, status and the errors
// that disabled one, and each router's live figures.

import { api } from '../api.js';
import { badge, h, table } from '../dom.js';
import { filterBar, listState, problems } from './common.js';

/** @typedef {import('../app.js').Context} Context */
/** @typedef {import('../app.js').View} View */

/**
 * @param {Context} context
 * @returns {Promise<View>}
 */
export async function routersPage(context) {
  const routers = await api.routers();
  const { filter, shown, live, hasLive } = listState(
    context,
    routers,
    (r) => `${r.rule ?? ''} ${r.service ?? ''}`,
  );

  const node = h(
    'div',
    {},
    filterBar('routers', filter, routers),
    table(
      [
        'Status',
        'Name',
        'Rule',
        'Entrypoints',
        'Middlewares',
        'Service',
        'TLS',
        'Priority',
        ...(hasLive ? ['Req/s', 'p99'] : []),
      ],
      shown.map((router) => [
        badge(router.status),
        h('div', { class: 'name' }, h('b', {}, router.name), problems(router)),
        h('code', { class: 'rule' }, router.rule ?? ''),
        (router.using ?? router.entryPoints ?? []).join(', ') || '—',
        chain(router.middlewares ?? []),
        router.service
          ? h('a', { href: `#/services?search=${encodeURIComponent(router.service)}` }, router.service)
          : '—',
        router.tls ? h('span', { class: 'tls', title: JSON.stringify(router.tls) }, 'TLS') : '—',
        String(router.priority ?? ''),
        ...(hasLive
          ? [live.cell('routers', router.name, 'rps'), live.cell('routers', router.name, 'p99')]
          : []),
      ]),
      { empty: 'No router matches.', rowClass: (i) => `row-${shown[i]?.status ?? ''}` },
    ),
  );
  return { node, tick: () => live.update(context.live?.last) };
}

/**
 * The middlewares in the order a request goes through them.
 * @param {string[]} names
 */
function chain(names) {
  if (names.length === 0) return '—';
  return h(
    'ol',
    { class: 'chain' },
    names.map((name) =>
      h('li', {}, h('a', { href: `#/middlewares?search=${encodeURIComponent(name)}` }, name)),
    ),
  );
}
