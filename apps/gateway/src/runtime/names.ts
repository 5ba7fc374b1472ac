/** Resource names: `name@provider` (Traefik §1.7). */

/** Qualifies a reference: a name without `@` belongs to the referencing provider. */
export function qualify(name: string, provider: string): string {
  return name.includes('@') ? name : `${name}@${provider}`;
}

/** The provider part of a qualified name. */
export function providerOf(qualified: string): string {
  return qualified.slice(qualified.lastIndexOf('@') + 1);
}
