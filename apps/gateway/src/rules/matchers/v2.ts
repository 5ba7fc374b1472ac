/**
 * The v2 matchers (Traefik §1.3), for routers with `ruleSyntax: v2`: most take a list of values OR'ed
 * together, and Path, PathPrefix, HostRegexp and Query values are gorilla/mux templates.
 */

import { compileRe2, type Re2Error, type Re2Pattern } from '../re2.ts';
import { compileTemplate, type TemplateKind } from '../template.ts';
import type { Matcher, RoutingRequest } from '../types.ts';
import { clientIp } from './client-ip.ts';
import { hostEquals } from './host.ts';
import { expectAscii, expectPath, expectSome, MatcherError, type MatcherFactory, some } from './table.ts';

/** OR of the matchers built for each value. */
function any(matchers: readonly Matcher[]): Matcher {
  if (matchers.length === 1) return matchers[0] as Matcher;
  return (request) => {
    for (const matches of matchers) if (matches(request)) return true;
    return false;
  };
}

/** A template matcher over one field of the request; a malformed template never matches. */
function templates(
  name: string,
  args: readonly string[],
  kind: TemplateKind,
  field: (request: RoutingRequest) => string,
): Matcher {
  expectSome(name, args);
  const patterns: Re2Pattern[] = [];
  for (const template of args) {
    if (kind !== 'host') expectPath(name, template);
    const re = compileTemplate(template, kind);
    if (re !== undefined) patterns.push(re);
  }
  return (request) => {
    const value = field(request);
    for (const re of patterns) if (re.test(value)) return true;
    return false;
  };
}

/** Splits `Headers`/`HeadersRegexp` arguments into name/value pairs. */
function pairs(name: string, args: readonly string[]): Array<[string, string]> {
  if (args.length === 0 || args.length % 2 !== 0) {
    throw new MatcherError(`${name} takes name/value pairs; got ${args.length} arguments`);
  }
  const result: Array<[string, string]> = [];
  for (let i = 0; i < args.length; i += 2) result.push([args[i] as string, args[i + 1] as string]);
  return result;
}

/** v2 matchers by their declared name. */
export const v2Matchers: Readonly<Record<string, MatcherFactory>> = {
  Host(args) {
    expectSome('Host', args);
    for (const host of args) expectAscii('Host', host);
    return any(args.map(hostEquals));
  },
  HostHeader(args) {
    return v2Matchers.Host?.(args) as Matcher;
  },
  HostRegexp(args) {
    for (const host of args) expectAscii('HostRegexp', host);
    return templates('HostRegexp', args, 'host', (request) => request.host);
  },
  Path(args) {
    return templates('Path', args, 'path', (request) => request.path);
  },
  PathPrefix(args) {
    return templates('PathPrefix', args, 'prefix', (request) => request.path);
  },
  Method(args) {
    expectSome('Method', args);
    const methods = new Set(args.map((method) => method.toUpperCase()));
    return (request) => methods.has(request.method.toUpperCase());
  },
  ClientIP(args) {
    expectSome('ClientIP', args);
    return clientIp(args);
  },
  Headers(args) {
    const checks = pairs('Headers', args).map(
      ([name, value]): Matcher =>
        (request) => {
          const sent = request.header(name);
          return value === '' ? sent.length > 0 : some(sent, (line) => line === value);
        },
    );
    return (request) => checks.every((check) => check(request));
  },
  HeadersRegexp(args) {
    const checks = pairs('HeadersRegexp', args).map(([name, pattern]): Matcher => {
      let re: Re2Pattern;
      try {
        re = compileRe2(pattern);
      } catch (error) {
        throw new MatcherError(`HeadersRegexp: ${(error as Re2Error).message}`);
      }
      return (request) => some(request.header(name), (line) => re.test(line));
    });
    return (request) => checks.every((check) => check(request));
  },
  Query(args) {
    expectSome('Query', args);
    const checks = args.map((pair): Matcher => {
      const equals = pair.indexOf('=');
      if (equals === -1) throw new MatcherError(`Query: "${pair}" is not a key=value pair`);
      const key = pair.slice(0, equals);
      const re = compileTemplate(pair.slice(equals + 1), 'query');
      // gorilla/mux compares the first value of the key only.
      return ({ query }) => {
        const first = query.get(key)?.[0];
        return re !== undefined && first !== undefined && re.test(first);
      };
    });
    return (request) => checks.every((check) => check(request));
  },
};
