// Overview: entrypoints, how many routers, services and middlewares there are and how many have problems,
// the features on, and the traffic per entrypoint.

import { api } from '../api.js';
import { h, section, table } from '../dom.js';
import { clock } from '../format.js';
import { LiveCells } from './common.js';

/** @typedef {import('../app.js').Context} Context */
/** @typedef {import('../app.js').View} View */
/** @typedef {import('../types.js').Counts} Counts */

/**
 * @param {Context} context
 * @returns {Promise<View>}
 */
export async function overviewPage(context) {
  const [overview, entryPoints, version] = await Promise.all([
    api.overview(),
    api.entryPoints(),
    api.version(),
  ]);
  const live = new LiveCells();
  const hasLive = context.live !== undefined;

  const card = (/** @type {string} */ kind, /** @type {Counts} */ counts) =>
    h(
      'div',
      { class: 'card' },
      h(
        'a',
        { class: 'card-link', href: `#/${kind}` },
        h('span', { class: 'card-title' }, kind),
        h('span', { class: 'card-total' }, counts.total),
      ),
      h(
        'span',
        { class: 'card-detail' },
        h(
          'a',
          { class: counts.warnings > 0 ? 'warn' : 'muted', href: `#/${kind}?status=warning` },
          plural(counts.warnings, 'warning'),
        ),
        ' · ',
        h(
          'a',
          { class: counts.errors > 0 ? 'bad' : 'muted', href: `#/${kind}?status=disabled` },
          plural(counts.errors, 'error'),
        ),
      ),
    );

  const node = h(
    'div',
    {},
    h(
      'div',
      { class: 'cards' },
      card('routers', overview.http.routers),
      card('services', overview.http.services),
      card('middlewares', overview.http.middlewares),
    ),
    section('Entrypoints'),
    table(
      ['Name', 'Address', 'Protocol', ...(hasLive ? ['Req/s', 'p50', 'p99'] : [])],
      entryPoints.map((ep) => [
        h('b', {}, ep.name),
        h('code', {}, ep.address),
        ep.http?.tls !== undefined ? 'HTTPS' : 'HTTP',
        ...(hasLive
          ? [
              live.cell('entrypoints', ep.name, 'rps'),
              live.cell('entrypoints', ep.name, 'p50'),
              live.cell('entrypoints', ep.name, 'p99'),
            ]
          : []),
      ]),
    ),
    section('Features'),
    h(
      'dl',
      { class: 'facts' },
      h('dt', {}, 'Providers'),
      h('dd', {}, overview.providers.join(', ') || 'none'),
      h('dt', {}, 'Metrics'),
      h('dd', {}, overview.features.metrics || 'off (live figures need metrics.prometheus)'),
      h('dt', {}, 'Access log'),
      h('dd', {}, overview.features.accessLog ? 'on' : 'off'),
      h('dt', {}, 'Version'),
      h('dd', {}, `${version.Version} (${version.Codename}), started ${clock(version.startDate)}`),
    ),
  );
  return { node, tick: () => live.update(context.live?.last) };
}

/**
 * @param {number} n
 * @param {string} noun
 */
function plural(n, noun) {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
