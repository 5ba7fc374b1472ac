// Building the page with DOM calls only: every value reaches the page as text (textContent, attributes set
// one by one), never as markup, since configuration values could hold anything.

/**
 * @typedef {Node | string | number | null | undefined | false} Child
 * @typedef {Record<string, string | number | boolean | undefined | ((event: Event) => void)>} Attributes
 */

/**
 * Creates an element. Attributes starting with `on` are listeners; `false`/`undefined` ones are left out.
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {Attributes} [attributes]
 * @param {...(Child | Child[])} children
 * @returns {HTMLElementTagNameMap[K]}
 */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === false) continue;
    if (typeof value === 'function') element.addEventListener(name.slice(2), value);
    else element.setAttribute(name, value === true ? '' : String(value));
  }
  append(element, children);
  return element;
}

/**
 * Appends children: nodes as they are, strings and numbers as text.
 * @param {Element} element
 * @param {(Child | Child[])[]} children
 */
export function append(element, children) {
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    element.append(typeof child === 'number' ? String(child) : child);
  }
}

/**
 * Replaces the content of `element`.
 * @param {Element} element
 * @param {...(Child | Child[])} children
 */
export function replace(element, ...children) {
  element.replaceChildren();
  append(element, children);
}

/**
 * A status badge (enabled, warning, disabled, applied, rejected, UP, DOWN ...).
 * @param {string} status
 */
export function badge(status) {
  return h('span', { class: `badge badge-${status.toLowerCase()}` }, status);
}

/**
 * A table whose cells carry their column's name, so narrow screens can show each row as a card.
 * @param {string[]} columns
 * @param {(Child | Child[])[][]} rows
 * @param {{ empty?: string, rowClass?: (index: number) => string | undefined }} [options]
 */
export function table(columns, rows, options = {}) {
  if (rows.length === 0) return h('p', { class: 'empty' }, options.empty ?? 'Nothing here.');
  return h(
    'table',
    { class: 'grid' },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        columns.map((column) => h('th', { scope: 'col' }, column)),
      ),
    ),
    h(
      'tbody',
      {},
      rows.map((cells, index) =>
        h(
          'tr',
          { class: options.rowClass?.(index) },
          cells.map((cell, column) => h('td', { 'data-label': columns[column] ?? '' }, cell)),
        ),
      ),
    ),
  );
}

/**
 * A heading for a page section.
 * @param {string} title
 * @param {...Child} extra
 */
export function section(title, ...extra) {
  return h('h2', {}, title, ...extra);
}
