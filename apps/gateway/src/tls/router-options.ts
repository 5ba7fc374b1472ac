/**
 * Which TLS options a handshake gets, as Traefik decides it: by server name, from the `Host` domains of the
 * TLS routers of the entrypoint. A router whose rule names no domain can only get `default`; two routers
 * that serve the same domain with different options are both given `default` (Traefik logs the conflict).
 * A router then answers only requests whose connection got its options: another gets 421 (see sni-check.ts).
 */

import { parseRule, type RuleExpression } from '../rules/parse.ts';
import { defaultOptionsName } from './options.ts';

/** A TLS router as far as TLS options go. */
export interface TlsRouter {
  readonly name: string;
  readonly rule: string;
  /** `default` or a qualified option name. */
  readonly options: string;
  readonly entryPoints: readonly string[];
}

/** Options by server name, per entrypoint, and what each router resolved to. */
export interface TlsRouting {
  /** Lower-case domain → options name, per entrypoint; names not listed get `default`. */
  readonly hosts: ReadonlyMap<string, ReadonlyMap<string, string>>;
  /** The options each router's connections must have used, per entrypoint. */
  readonly resolved: ReadonlyMap<string, ReadonlyMap<string, string>>;
  /** Router name → why its options were replaced by `default`. */
  readonly conflicts: ReadonlyMap<string, string>;
}

/** The lower-case arguments of every `Host` matcher in `rule` (Traefik's `ParseDomains`); [] if it is invalid. */
export function ruleDomains(rule: string): string[] {
  let expression: RuleExpression;
  try {
    expression = parseRule(rule);
  } catch {
    return [];
  }
  const domains: string[] = [];
  const walk = (node: RuleExpression): void => {
    if (node.kind === 'call') {
      if (node.name === 'Host') for (const arg of node.args) domains.push(arg.toLowerCase());
    } else if (node.kind === 'not') walk(node.operand);
    else for (const operand of node.operands) walk(operand);
  };
  walk(expression);
  return domains;
}

/**
 * Resolves the options of `routers`, conflicts included. A router may come more than once, with different
 * options on different entrypoints (an entrypoint's `http.tls.options` applies to routers without `tls`);
 * as in Traefik, a conflict on one entrypoint gives the router `default` there only.
 */
export function resolveTlsRouting(routers: readonly TlsRouter[]): TlsRouting {
  const conflicts = new Map<string, string>();
  // `router\0entryPoint` of the placements that fell back to default.
  const fallback = new Set<string>();
  const domainsOf = new Map(routers.map((router) => [router.name, ruleDomains(router.rule)]));
  const entryPoints = new Set(routers.flatMap((router) => router.entryPoints));
  for (const router of routers) {
    if (router.options === defaultOptionsName || domainsOf.get(router.name)?.length !== 0) continue;
    conflicts.set(
      router.name,
      `no domain found in rule ${router.rule}, the TLS option ${router.options} cannot be applied`,
    );
    for (const entryPoint of router.entryPoints) fallback.add(`${router.name}\0${entryPoint}`);
  }
  for (const entryPoint of entryPoints) {
    const byDomain = new Map<string, Map<string, string[]>>();
    for (const router of routers) {
      if (!router.entryPoints.includes(entryPoint)) continue;
      for (const domain of domainsOf.get(router.name) ?? []) {
        const byOption = byDomain.get(domain) ?? new Map<string, string[]>();
        byDomain.set(domain, byOption);
        byOption.set(router.options, [...(byOption.get(router.options) ?? []), router.name]);
      }
    }
    for (const [domain, byOption] of byDomain) {
      if (byOption.size < 2) continue;
      const names = [...new Set([...byOption.values()].flat())].sort();
      for (const name of names) {
        fallback.add(`${name}\0${entryPoint}`);
        conflicts.set(
          name,
          `on entryPoint "${entryPoint}", host "${domain}" is served by routers with different TLS options (${names.join(', ')}): the default TLS options are used`,
        );
      }
    }
  }
  const resolved = new Map<string, Map<string, string>>();
  const hosts = new Map<string, Map<string, string>>([...entryPoints].map((ep) => [ep, new Map()]));
  for (const router of routers) {
    const byEntryPoint = resolved.get(router.name) ?? new Map<string, string>();
    resolved.set(router.name, byEntryPoint);
    for (const entryPoint of router.entryPoints) {
      const options = fallback.has(`${router.name}\0${entryPoint}`) ? defaultOptionsName : router.options;
      byEntryPoint.set(entryPoint, options);
      if (options === defaultOptionsName) continue;
      for (const domain of domainsOf.get(router.name) ?? []) hosts.get(entryPoint)?.set(domain, options);
    }
  }
  return { hosts, resolved, conflicts };
}
