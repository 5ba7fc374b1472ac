import { type Static, Type } from 'typebox';
import { Value } from 'typebox/value';

/**
 * Asymmetric JWS algorithms a configured issuer may use. HMAC and `none` are absent on purpose: a verifier that
 * accepts HS256 with a public key as the secret accepts tokens anyone can forge. EdDSA is absent because get-jwks
 * turns JWKs into PEM with jwk-to-pem, which knows RSA and EC keys only.
 */
export const ASYMMETRIC_ALGORITHMS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
] as const;

/** One of {@link ASYMMETRIC_ALGORITHMS}. */
export type JwtAlgorithm = (typeof ASYMMETRIC_ALGORITHMS)[number];

/** Default clock tolerance for `exp`, `nbf` and `iat`, in seconds. */
export const DEFAULT_CLOCK_TOLERANCE = 30;

const Algorithm = Type.Union(ASYMMETRIC_ALGORITHMS.map((alg) => Type.Literal(alg)));

const RequiredClaimSchema = Type.Object(
  {
    name: Type.String({ minLength: 1 }),
    /** `all` (API Management's default): every value must be present; `any`: one is enough. */
    match: Type.Optional(Type.Union([Type.Literal('all'), Type.Literal('any')])),
    values: Type.Array(Type.String({ minLength: 1 }), { minItems: 1 }),
    /** Splits a string claim into values (`" "` for OAuth's `scope`); without it a string is one value. */
    separator: Type.Optional(Type.String({ minLength: 1 })),
  },
  { additionalProperties: false },
);

/** The JSON shape of one `JWT_ISSUERS` entry. */
export const IssuerSchema = Type.Object(
  {
    issuer: Type.String({ minLength: 1 }),
    jwksUrl: Type.Optional(Type.String({ minLength: 1 })),
    audiences: Type.Array(Type.String({ minLength: 1 }), { minItems: 1 }),
    algorithms: Type.Optional(Type.Array(Algorithm, { minItems: 1 })),
    clockTolerance: Type.Optional(Type.Number({ minimum: 0, maximum: 600 })),
    requiredClaims: Type.Optional(Type.Array(RequiredClaimSchema)),
  },
  { additionalProperties: false },
);

const IssuersSchema = Type.Array(IssuerSchema, { minItems: 1 });

/** A claim the token must carry with the given values, as API Management's `required-claims` states it. */
export interface RequiredClaim {
  name: string;
  match: 'all' | 'any';
  values: readonly string[];
  separator?: string;
}

/** A trusted token issuer and what its tokens must satisfy. */
export interface JwtIssuer {
  /** The exact `iss` value, byte for byte (scheme, host, port, trailing slash). */
  issuer: string;
  /**
   * Where its keys are fetched. Configuration only, never from a token; it may be an internal address
   * (`http://identity:4444/jwks`) while `issuer` stays the public one. Without it: the issuer's OIDC discovery.
   */
  jwksUrl: string | null;
  /** The token's `aud` must contain one of these. */
  audiences: readonly string[];
  algorithms: readonly JwtAlgorithm[];
  /** Seconds of clock skew allowed on `exp`, `nbf` and `iat`. */
  clockTolerance: number;
  requiredClaims: readonly RequiredClaim[];
}

/** The separate-variable form of a single issuer (`JWT_ISSUER`, `JWT_AUDIENCES`, ...). */
export interface SingleIssuerVars {
  JWT_ISSUER?: string;
  JWT_JWKS_URL?: string;
  JWT_AUDIENCES?: string;
  JWT_ALGORITHMS?: string;
  JWT_CLOCK_TOLERANCE?: number;
  JWT_REQUIRED_ROLES?: string;
  JWT_REQUIRED_ROLES_MATCH?: 'all' | 'any';
}

const list = (value: string | undefined): string[] =>
  (value ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');

function httpUrlProblem(name: string, value: string): string | null {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return `${name} must be an absolute URL`;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return `${name} must be an http or https URL`;
  if (url.username !== '' || url.password !== '') return `${name} must not carry credentials`;
  if (url.hash !== '') return `${name} must not have a fragment`;
  return null;
}

/** Checks what a schema cannot: URLs that parse, issuers named once. */
function checkIssuers(issuers: readonly JwtIssuer[], where: (index: number) => string): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  issuers.forEach((issuer, index) => {
    const prefix = where(index);
    const issuerProblem = httpUrlProblem('issuer', issuer.issuer);
    if (issuerProblem) problems.push(`${prefix}${issuerProblem}`);
    if (issuer.jwksUrl !== null) {
      const jwksProblem = httpUrlProblem('jwksUrl', issuer.jwksUrl);
      if (jwksProblem) problems.push(`${prefix}${jwksProblem}`);
    }
    if (seen.has(issuer.issuer)) problems.push(`${prefix}issuer ${issuer.issuer} is listed twice`);
    seen.add(issuer.issuer);
  });
  return problems;
}

/** Thrown by {@link parseIssuers}; each problem names the variable or the entry. */
export class IssuerSpecError extends Error {
  readonly code = 'ERR_JWT_ISSUERS';
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super(`invalid JWT issuer configuration: ${problems.join('; ')}`);
    this.name = 'IssuerSpecError';
    this.problems = problems;
  }
}

function fromJson(json: string): JwtIssuer[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    throw new IssuerSpecError(['JWT_ISSUERS: not valid JSON']);
  }
  if (!Value.Check(IssuersSchema, parsed)) {
    const problems = Value.Errors(IssuersSchema, parsed)
      .slice(0, 5)
      .map((error) => `JWT_ISSUERS${error.instancePath || ''}: ${error.message}`);
    throw new IssuerSpecError(problems);
  }
  const issuers = (parsed as Static<typeof IssuersSchema>).map(
    (entry): JwtIssuer => ({
      issuer: entry.issuer,
      jwksUrl: entry.jwksUrl ?? null,
      audiences: entry.audiences,
      algorithms: entry.algorithms ?? ['RS256'],
      clockTolerance: entry.clockTolerance ?? DEFAULT_CLOCK_TOLERANCE,
      requiredClaims: (entry.requiredClaims ?? []).map((claim) => ({
        name: claim.name,
        match: claim.match ?? 'all',
        values: claim.values,
        ...(claim.separator === undefined ? {} : { separator: claim.separator }),
      })),
    }),
  );
  const problems = checkIssuers(issuers, (index) => `JWT_ISSUERS/${index}: `);
  if (problems.length > 0) throw new IssuerSpecError(problems);
  return issuers;
}

function fromVars(vars: SingleIssuerVars): JwtIssuer[] {
  const problems: string[] = [];
  const audiences = list(vars.JWT_AUDIENCES);
  if (audiences.length === 0)
    problems.push('JWT_AUDIENCES: at least one audience is required with JWT_ISSUER');
  const algorithmNames = list(vars.JWT_ALGORITHMS ?? 'RS256');
  const algorithms = algorithmNames.filter((alg): alg is JwtAlgorithm =>
    (ASYMMETRIC_ALGORITHMS as readonly string[]).includes(alg),
  );
  if (algorithms.length !== algorithmNames.length || algorithms.length === 0) {
    problems.push(`JWT_ALGORITHMS: each must be one of ${ASYMMETRIC_ALGORITHMS.join(', ')}`);
  }
  const roles = list(vars.JWT_REQUIRED_ROLES);
  const issuer: JwtIssuer = {
    issuer: vars.JWT_ISSUER ?? '',
    jwksUrl: vars.JWT_JWKS_URL ?? null,
    audiences,
    algorithms,
    clockTolerance: vars.JWT_CLOCK_TOLERANCE ?? DEFAULT_CLOCK_TOLERANCE,
    requiredClaims:
      roles.length === 0
        ? []
        : [{ name: 'roles', match: vars.JWT_REQUIRED_ROLES_MATCH ?? 'all', values: roles }],
  };
  problems.push(
    ...checkIssuers([issuer], () => '').map((problem) =>
      problem.startsWith('issuer') ? `JWT_ISSUER: ${problem}` : `JWT_JWKS_URL: ${problem}`,
    ),
  );
  if (problems.length > 0) throw new IssuerSpecError(problems);
  return [issuer];
}

/**
 * The trusted issuers: `JWT_ISSUERS` (a JSON array of {@link IssuerSchema}) or the single-issuer variables,
 * not both. None configured: an empty list, and JWT mode is off.
 */
export function parseIssuers(json: string | undefined, vars: SingleIssuerVars): JwtIssuer[] {
  const single = Object.entries(vars)
    .filter(([, value]) => value !== undefined)
    .map(([name]) => name);
  if (json !== undefined && json.trim() !== '') {
    if (single.length > 0) {
      throw new IssuerSpecError([`JWT_ISSUERS: set either it or ${single.join(', ')}, not both`]);
    }
    return fromJson(json);
  }
  if (vars.JWT_ISSUER === undefined) {
    if (single.length > 0) throw new IssuerSpecError([`JWT_ISSUER: required by ${single.join(', ')}`]);
    return [];
  }
  return fromVars(vars);
}
