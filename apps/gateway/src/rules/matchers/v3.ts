/** The v3 matchers (Traefik §1.2): one value each, except the header and query matchers. */

import { compileRe2, type Re2Error, type Re2Pattern } from '../re2.ts';
import type { Matcher } from '../types.ts';
import { clientIp } from './client-ip.ts';
import { hostEquals } from './host.ts';
import { expectArgs, expectAscii, expectPath, MatcherError, type MatcherFactory, some } from './table.ts';

function regexp(name: string, pattern: string): Re2Pattern {
  try {
    return compileRe2(pattern);
  } catch (error) {
    throw new MatcherError(`${name}: ${(error as Re2Error).message}`);
  }
}

/** `Query(k, v)` and `QueryRegexp(k, re)`: the key must be present and one of its values must pass. */
function queryMatcher(key: string, test: (value: string) => boolean): Matcher {
  return ({ query }) => {
    const values = query.get(key);
    return values !== undefined && some(values, test);
  };
}

/** v3 matchers by their declared name. */
export const v3Matchers: Readonly<Record<string, MatcherFactory>> = {
  Host(args) {
    expectArgs('Host', args, 1);
    expectAscii('Host', args[0] as string);
    return hostEquals(args[0] as string);
  },
  HostRegexp(args) {
    expectArgs('HostRegexp', args, 1);
    expectAscii('HostRegexp', args[0] as string);
    const re = regexp('HostRegexp', args[0] as string);
    return ({ host }) => re.test(host);
  },
  Method(args) {
    expectArgs('Method', args, 1);
    const method = (args[0] as string).toUpperCase();
    return (request) => request.method === method;
  },
  Path(args) {
    expectArgs('Path', args, 1);
    const path = args[0] as string;
    expectPath('Path', path);
    return (request) => request.path === path;
  },
  PathPrefix(args) {
    expectArgs('PathPrefix', args, 1);
    const prefix = args[0] as string;
    expectPath('PathPrefix', prefix);
    return ({ path }) => path.startsWith(prefix);
  },
  PathRegexp(args) {
    expectArgs('PathRegexp', args, 1);
    const re = regexp('PathRegexp', args[0] as string);
    return ({ path }) => re.test(path);
  },
  Header(args) {
    expectArgs('Header', args, 2);
    const [name, value] = args as [string, string];
    return (request) => some(request.header(name), (sent) => sent === value);
  },
  HeaderRegexp(args) {
    expectArgs('HeaderRegexp', args, 2);
    const name = args[0] as string;
    const re = regexp('HeaderRegexp', args[1] as string);
    return (request) => some(request.header(name), (sent) => re.test(sent));
  },
  Query(args) {
    expectArgs('Query', args, 1, 2);
    const value = args[1] ?? '';
    return queryMatcher(args[0] as string, (sent) => sent === value);
  },
  QueryRegexp(args) {
    expectArgs('QueryRegexp', args, 1, 2);
    if (args.length === 1) return queryMatcher(args[0] as string, (sent) => sent === '');
    const re = regexp('QueryRegexp', args[1] as string);
    return queryMatcher(args[0] as string, (sent) => re.test(sent));
  },
  ClientIP(args) {
    expectArgs('ClientIP', args, 1);
    return clientIp(args);
  },
};
