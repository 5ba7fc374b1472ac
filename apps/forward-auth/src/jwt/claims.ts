import type { RequiredClaim } from './issuers.ts';

/** The values a claim carries: an array's strings, or a string (split on `separator` when given). */
export function claimValues(value: unknown, separator?: string): string[] {
  if (Array.isArray(value)) return value.filter((item): item is string => typeof item === 'string');
  if (typeof value === 'string') {
    return separator === undefined ? [value] : value.split(separator).filter((item) => item !== '');
  }
  return [];
}

/**
 * The first requirement the payload does not meet, or `null` when it meets them all. A missing claim fails its
 * requirement like a claim without the values: either way the caller lacks the permission, not a valid token.
 */
export function unmetRequirement(
  payload: Readonly<Record<string, unknown>>,
  requirements: readonly RequiredClaim[],
): RequiredClaim | null {
  for (const requirement of requirements) {
    const present = new Set(claimValues(payload[requirement.name], requirement.separator));
    const ok =
      requirement.match === 'any'
        ? requirement.values.some((value) => present.has(value))
        : requirement.values.every((value) => present.has(value));
    if (!ok) return requirement;
  }
  return null;
}

/** Says what a requirement asks, for the 403's detail: `roles must contain invokeRole`. */
export function describeRequirement(requirement: RequiredClaim): string {
  const values = requirement.values.join(', ');
  if (requirement.values.length === 1) return `${requirement.name} must contain ${values}`;
  return `${requirement.name} must contain ${requirement.match === 'any' ? 'one of' : 'all of'} ${values}`;
}
