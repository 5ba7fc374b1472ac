/**
 * Router rules, Traefik v3 and v2 syntax: compile a rule once at config load, then match it against the
 * routing view of each request.
 */

export { compileRule, defaultPriority } from './compile.ts';
export { canonicalHost, parseQuery, type RequestParts, routingPath, routingRequestFrom } from './request.ts';
export type { Matcher, RoutingRequest, RuleSyntax } from './types.ts';
