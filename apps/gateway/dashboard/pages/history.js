// Configuration history: each load with its time and files, what it disabled, and each rejected change with
// the file at fault and its error.

import { api } from '../api.js';
import { badge, h, table } from '../dom.js';
import { clock } from '../format.js';

/** @typedef {import('../app.js').Context} Context */
/** @typedef {import('../app.js').View} View */
/** @typedef {import('../types.js').HistoryEntry} HistoryEntry */

/**
 * @param {Context} _context
 * @returns {Promise<View>}
 */
export async function historyPage(_context) {
  const entries = await api.history();
  const node = h(
    'div',
    {},
    h(
      'p',
      { class: 'muted' },
      'Each load of the dynamic configuration, newest first. A rejected change leaves the last good configuration serving.',
    ),
    table(
      ['When', 'Outcome', 'Files', 'Details'],
      entries.map((entry) => [
        h('time', { datetime: entry.time }, clock(entry.time)),
        badge(entry.status),
        files(entry),
        details(entry),
      ]),
      { empty: 'No configuration loaded yet.', rowClass: (i) => `row-${entries[i]?.status ?? ''}` },
    ),
  );
  return { node };
}

/**
 * @param {HistoryEntry} entry
 */
function files(entry) {
  if (entry.status === 'rejected') return entry.file ? h('code', { class: 'bad' }, entry.file) : '—';
  const list = entry.files ?? [];
  if (list.length === 0) return '—';
  return h(
    'ul',
    { class: 'files' },
    list.map((file) => h('li', {}, h('code', {}, file))),
  );
}

/**
 * @param {HistoryEntry} entry
 */
function details(entry) {
  if (entry.status === 'rejected') return h('pre', { class: 'error' }, entry.error ?? '');
  const parts = [];
  if (entry.recovered?.length) parts.push(h('p', {}, `Fixes the rejected ${entry.recovered.join(', ')}.`));
  if (entry.status === 'unchanged')
    parts.push(h('p', { class: 'muted' }, 'Same as the configuration in service.'));
  if (entry.routers && entry.services && entry.middlewares) {
    parts.push(
      h(
        'p',
        {},
        `${entry.routers.total} routers, ${entry.services.total} services, ${entry.middlewares.total} middlewares`,
      ),
    );
  }
  if (entry.disabled?.length) {
    parts.push(
      h(
        'ul',
        { class: 'problems disabled' },
        entry.disabled.map((item) => h('li', {}, h('b', {}, item.name), `: ${item.error.join('; ')}`)),
      ),
    );
  }
  return parts.length > 0 ? h('div', {}, parts) : '—';
}
