/**
 * Go RE2 patterns → JavaScript RegExp. Rules are written for Traefik, whose regexps are Go's RE2; most RE2
 * is valid JavaScript, but not all of it, and JavaScript accepts things RE2 rejects (lookaround,
 * backreferences) that would make a rule behave differently here than under Traefik. So the pattern is
 * translated where the two differ and rejected where RE2 would reject it.
 */

/** Thrown by {@link compileRe2} with the reason; the matcher adds which argument it was. */
export class Re2Error extends Error {}

const posixClasses: Readonly<Record<string, string>> = {
  alnum: '0-9A-Za-z',
  alpha: 'A-Za-z',
  ascii: '\\x00-\\x7F',
  blank: '\\t ',
  cntrl: '\\x00-\\x1F\\x7F',
  digit: '0-9',
  graph: '!-~',
  lower: 'a-z',
  print: ' -~',
  punct: '!-\\/:-@\\[-`{-~',
  space: '\\t\\n\\v\\f\\r ',
  upper: 'A-Z',
  word: '0-9A-Za-z_',
  xdigit: '0-9A-Fa-f',
};

const jsFlags = new Set(['i', 'm', 's']);

/**
 * Compiles the RE2 pattern `pattern` (unanchored, as Go's `MatchString`), optionally case-insensitive.
 * Throws {@link Re2Error} for what RE2 rejects or this port does not support.
 */
export function compileRe2(pattern: string, options: { ignoreCase?: boolean } = {}): RegExp {
  const flags = new Set<string>(options.ignoreCase ? ['i'] : []);
  let source = pattern;
  // A leading flag group applies to the whole pattern, which is what RegExp flags are.
  const leading = /^\(\?([a-zA-Z]+)\)/.exec(source);
  if (leading) {
    for (const flag of leading[1] as string) {
      if (!jsFlags.has(flag)) throw new Re2Error(`unsupported flag ${flag} in ${pattern}`);
      flags.add(flag);
    }
    source = source.slice(leading[0].length);
  }
  const translated = translate(source, pattern);
  if (/\\p/i.test(translated)) flags.add('u');
  try {
    return new RegExp(translated, [...flags].join(''));
  } catch (error) {
    throw new Re2Error(`invalid regexp ${pattern}: ${(error as Error).message}`);
  }
}

function translate(source: string, pattern: string): string {
  let out = '';
  let inClass = false;
  for (let i = 0; i < source.length; i++) {
    const char = source[i] as string;
    if (char === '\\') {
      const next = source[i + 1];
      if (next === undefined) throw new Re2Error(`trailing backslash in ${pattern}`);
      if (next >= '1' && next <= '9')
        throw new Re2Error(`backreferences are not supported by RE2: ${pattern}`);
      if (next === 'k' && source[i + 2] === '<') {
        throw new Re2Error(`backreferences are not supported by RE2: ${pattern}`);
      }
      if (next === 'C') throw new Re2Error(`\\C is not supported: ${pattern}`);
      if (next === 'Q') {
        const end = source.indexOf('\\E', i + 2);
        const literal = source.slice(i + 2, end === -1 ? undefined : end);
        out += literal.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&');
        i = end === -1 ? source.length : end + 1;
        continue;
      }
      if (!inClass && next === 'A') out += '^';
      else if (!inClass && next === 'z') out += '(?![\\s\\S])';
      else out += char + next;
      i++;
      continue;
    }
    if (inClass) {
      if (char === '[' && source[i + 1] === ':') {
        const match = /^\[:(\^?)([a-z]+):\]/.exec(source.slice(i));
        const range = match ? posixClasses[match[2] as string] : undefined;
        if (match && range !== undefined) {
          if (match[1] === '^') throw new Re2Error(`negated POSIX classes are not supported: ${pattern}`);
          out += range;
          i += match[0].length - 1;
          continue;
        }
      }
      if (char === ']') inClass = false;
      out += char === '[' ? '\\[' : char;
      continue;
    }
    if (char === '[') {
      inClass = true;
      out += char;
      // `]` right after `[` or `[^` is a literal in RE2.
      if (source[i + 1] === '^') {
        out += '^';
        i++;
      }
      if (source[i + 1] === ']') {
        out += '\\]';
        i++;
      }
      continue;
    }
    if (char === '(' && source[i + 1] === '?') {
      const rest = source.slice(i + 2);
      if (/^(=|!|<=|<!)/.test(rest)) throw new Re2Error(`lookaround is not supported by RE2: ${pattern}`);
      const named = /^P<([A-Za-z_][A-Za-z0-9_]*)>/.exec(rest);
      if (named) {
        out += `(?<${named[1]}>`;
        i += 1 + named[0].length;
        continue;
      }
      if (rest.startsWith('<')) {
        out += '(?';
        i++;
        continue;
      }
      const flagGroup = /^([a-zA-Z]*)(?:-([a-zA-Z]*))?([:)])/.exec(rest);
      if (flagGroup && (flagGroup[1] !== '' || flagGroup[2] !== undefined)) {
        if (flagGroup[3] === ')') {
          throw new Re2Error(
            `flags in the middle of a pattern are not supported, put them first: ${pattern}`,
          );
        }
        for (const flag of `${flagGroup[1]}${flagGroup[2] ?? ''}`) {
          if (!jsFlags.has(flag)) throw new Re2Error(`unsupported flag ${flag} in ${pattern}`);
        }
      }
    }
    out += char;
  }
  return out;
}
