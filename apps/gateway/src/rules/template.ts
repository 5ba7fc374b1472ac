/**
 * gorilla/mux route templates, as v2 rules use them in Path, PathPrefix, HostRegexp and Query:
 * literal text with `{name}` or `{name:pattern}` variables (Traefik §1.3).
 */

import { compileRe2, type Re2Pattern } from './re2.ts';

/** Where a template is used decides what a bare `{name}` matches and how the result is anchored. */
export type TemplateKind = 'path' | 'prefix' | 'host' | 'query';

const defaultPattern: Readonly<Record<TemplateKind, string>> = {
  path: '[^/]+',
  prefix: '[^/]+',
  host: '[^.]+',
  query: '.*',
};

/** Go's `regexp.QuoteMeta`. */
function quoteMeta(text: string): string {
  return text.replace(/[\\.+*?()|[\]{}^$]/g, '\\$&');
}

/**
 * The regexp for `template`, or `undefined` when the template is malformed (unbalanced braces, a bad
 * pattern). Traefik accepts such a rule and the matcher simply never matches, so the caller does the same.
 */
export function compileTemplate(template: string, kind: TemplateKind): Re2Pattern | undefined {
  let source = '';
  let literalStart = 0;
  let depth = 0;
  let varStart = 0;
  for (let i = 0; i < template.length; i++) {
    const char = template[i];
    if (char === '{') {
      if (depth === 0) {
        source += quoteMeta(template.slice(literalStart, i));
        varStart = i + 1;
      }
      depth++;
    } else if (char === '}') {
      depth--;
      if (depth < 0) return undefined;
      if (depth === 0) {
        const variable = template.slice(varStart, i);
        const colon = variable.indexOf(':');
        const name = colon === -1 ? variable : variable.slice(0, colon);
        const pattern = colon === -1 ? defaultPattern[kind] : variable.slice(colon + 1);
        if (name === '' || pattern === '') return undefined;
        source += `(?:${pattern})`;
        literalStart = i + 1;
      }
    }
  }
  if (depth !== 0) return undefined;
  source += quoteMeta(template.slice(literalStart));
  const anchored = kind === 'prefix' ? `^${source}` : `^${source}$`;
  try {
    return compileRe2(anchored, { ignoreCase: kind === 'host' });
  } catch {
    return undefined;
  }
}
