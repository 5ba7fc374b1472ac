// Services: servers with their status, the load-balancing mode, who uses each, and live figures (the share
// of 5xx answers tells a server that fails before any health check would).

import { api } from '../api.js';
import { badge, h, table } from '../dom.js';
import { filterBar, listState, problems } from './common.js';

/** @typedef {import('../app.js').Context} Context */
/** @typedef {import('../app.js').View} View */
/** @typedef {import('../types.js').Service} Service */

/**
 * @param {Context} context
 * @returns {Promise<View>}
 */
export async function servicesPage(context) {
  const services = await api.services();
  const { filter, shown, live, hasLive } = listState(context, services, (s) =>
    (s.loadBalancer?.servers ?? []).map((x) => x.url).join(' '),
  );

  const node = h(
    'div',
    {},
    filterBar('services', filter, services),
    table(
      [
        'Status',
        'Name',
        'Type',
        'Load balancing',
        'Servers',
        'Used by',
        ...(hasLive ? ['Req/s', '5xx', 'p99'] : []),
      ],
      shown.map((service) => [
        badge(service.status),
        h('div', { class: 'name' }, h('b', {}, service.name), problems(service)),
        service.type ?? '—',
        mode(service),
        servers(service),
        (service.usedBy ?? []).join(', ') || '—',
        ...(hasLive
          ? [
              live.cell('services', service.name, 'rps'),
              live.cell('services', service.name, 'errors'),
              live.cell('services', service.name, 'p99'),
            ]
          : []),
      ]),
      { empty: 'No service matches.', rowClass: (i) => `row-${shown[i]?.status ?? ''}` },
    ),
  );
  return { node, tick: () => live.update(context.live?.last) };
}

/**
 * @param {Service} service
 */
function mode(service) {
  const lb = service.loadBalancer;
  if (!lb) return '—';
  const parts = [lb.strategy ?? 'wrr'];
  if (lb.passHostHeader === false) parts.push('passHostHeader: false');
  if (lb.serversTransport) parts.push(`transport ${lb.serversTransport}`);
  return parts.join(', ');
}

/**
 * @param {Service} service
 */
function servers(service) {
  const list = service.loadBalancer?.servers ?? [];
  if (list.length === 0) return '—';
  return h(
    'ul',
    { class: 'servers' },
    list.map((server) =>
      h(
        'li',
        {},
        badge(service.serverStatus?.[server.url] ?? 'unknown'),
        ' ',
        h('code', {}, server.url),
        server.weight !== undefined && server.weight !== 1
          ? h('span', { class: 'muted' }, ` weight ${server.weight}`)
          : null,
      ),
    ),
  );
}
