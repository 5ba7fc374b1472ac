/**
 * The signed identity (X-Auth-Assertion) across a deployment. forward-auth signs it for the audiences a forwardAuth
 * address names (`?aud=`), the gateway copies it onto the request (`authResponseHeaders`), and a backend checks it
 * against the keys at its IDENTITY_ASSERTION_JWKS_URL, with its pinned issuer and audiences. The three sides are
 * configured in different places (compose environment and labels; ConfigMaps and Middlewares), and a mismatch
 * makes every request to a backend 401, or leaves a backend unchecked. The compose and Kubernetes checks describe
 * their deployment in this one shape; each backend's variables are read by its own app's parser.
 */

import { EnvSchema as forwardAuthEnv } from '@gateway-pattern/forward-auth/src/config.ts';
import { JWKS_PATH } from '@gateway-pattern/forward-auth/src/routes/jwks.ts';
import { loadConfig as loadModelServiceConfig } from '@gateway-pattern/model-service/src/config.ts';
import {
  loadConfig as loadPybackendConfig,
  type PybackendConfig,
} from '@gateway-pattern/pybackend-ts/src/config.ts';

/** A backend's assertion check as its app reads it: key set URL, pinned issuer, its audiences. */
export type VerifierOptions = NonNullable<PybackendConfig['identityAssertion']>;

/** The header that carries the assertion from forward-auth's answer to the backend. */
export const ASSERTION_HEADER = 'X-Auth-Assertion';

/** The `iss` forward-auth signs with when its IDENTITY_ASSERTION_ISSUER is unset. */
export const DEFAULT_ASSERTION_ISSUER = String(
  (forwardAuthEnv.properties.IDENTITY_ASSERTION_ISSUER as { default?: unknown }).default,
);

/** The apps that can check assertions, each with its own configuration parser. */
const VERIFYING_APPS: Readonly<Record<string, (env: NodeJS.ProcessEnv) => VerifierOptions | null>> = {
  'pybackend-ts': (env) => loadPybackendConfig(env).identityAssertion,
  'model-service': (env) => loadModelServiceConfig(env).identityAssertion,
};

/**
 * The assertion check of `app` (its image: `pybackend-ts`, `model-service`, ...) with this environment, or `null`
 * when it checks none (verification off, or an app that never does). Throws the app's own start-up error.
 */
export function verifierOf(app: string, env: Readonly<Record<string, string>>): VerifierOptions | null {
  return VERIFYING_APPS[app]?.(env) ?? null;
}

/** The audiences a forwardAuth address asks forward-auth to sign for (`?aud=`, repeatable). */
export function addressAudiences(address: string): string[] {
  return new URL(address).searchParams.getAll('aud');
}

/** A backend a route can reach. */
export interface WiredBackend {
  /** Its assertion check, or `null`. */
  readonly verifier: VerifierOptions | null;
  /** The forward-auth its IDENTITY_ASSERTION_JWKS_URL reaches (resolved by the caller), if any. */
  readonly keysFrom: string | undefined;
  /** The backends it calls on a request's behalf, handing on the assertion it received. */
  readonly relaysTo: readonly string[];
}

/** A router that asks a forward-auth about each request before sending it to a backend. */
export interface AuthRoute {
  /** For messages: `pybackend@file`, `IngressRoute/rbackend`, ... */
  readonly name: string;
  readonly backend: string;
  /** The forwardAuth middleware's address. */
  readonly address: string;
  /** The forward-auth that address reaches (resolved by the caller), if any. */
  readonly signer: string | undefined;
  /** Its `authResponseHeaders`. */
  readonly copies: readonly string[];
}

/** A deployment's side of the signed identity. */
export interface AssertionWiring {
  /** Every forward-auth, by name, with the `iss` it signs with. */
  readonly signers: Readonly<Record<string, { readonly issuer: string }>>;
  /** Every backend a route reaches, by name. */
  readonly backends: Readonly<Record<string, WiredBackend>>;
  readonly routes: readonly AuthRoute[];
}

const list = (values: readonly string[]) => values.join(', ') || 'none';

/** What is wrong with the wiring, one sentence each, naming the place to fix; empty when nothing is. */
export function assertionWiringProblems(wiring: AssertionWiring): string[] {
  const problems: string[] = [];
  const verifying = Object.entries(wiring.backends).flatMap(([name, b]) =>
    b.verifier === null ? [] : [{ name, backend: b, verifier: b.verifier }],
  );

  for (const { name, backend, verifier } of verifying) {
    const url = verifier.jwksUrl.href;
    if (verifier.jwksUrl.pathname !== JWKS_PATH)
      problems.push(
        `${name}: IDENTITY_ASSERTION_JWKS_URL ${url} is not forward-auth's key set (${JWKS_PATH})`,
      );
    const signer = backend.keysFrom === undefined ? undefined : wiring.signers[backend.keysFrom];
    if (signer === undefined) {
      problems.push(`${name}: IDENTITY_ASSERTION_JWKS_URL ${url} reaches no forward-auth`);
    } else if (signer.issuer !== verifier.issuer) {
      problems.push(
        `${name}: IDENTITY_ASSERTION_ISSUER is ${verifier.issuer}, but ${backend.keysFrom} signs as ${signer.issuer}`,
      );
    }
  }

  const named = new Set<string>();
  for (const route of wiring.routes) {
    const backend = wiring.backends[route.backend];
    if (backend === undefined) {
      problems.push(`${route.name}: routes to ${route.backend}, which the wiring does not describe`);
      continue;
    }
    const audiences = addressAudiences(route.address);
    for (const aud of audiences) named.add(aud);
    if (audiences.length === 0) {
      if (backend.verifier !== null)
        problems.push(
          `${route.name}: ${route.backend} requires an assertion, but ${route.address} asks for none (?aud=)`,
        );
      continue;
    }
    if (!route.copies.some((header) => header.toLowerCase() === ASSERTION_HEADER.toLowerCase()))
      problems.push(
        `${route.name}: authResponseHeaders lack ${ASSERTION_HEADER}, so ${route.backend} never gets it`,
      );
    if (backend.verifier === null) {
      problems.push(
        `${route.name}: asks for an assertion for ${list(audiences)}, but ${route.backend} does not check one`,
      );
      continue;
    }
    if (route.signer !== backend.keysFrom)
      problems.push(
        `${route.name}: asks ${route.signer ?? route.address} for the assertion, but ${route.backend} checks the keys of ${backend.keysFrom ?? 'nothing'}`,
      );
    // The backend itself, and whoever it hands the assertion on to, must each find one of its names in `aud`.
    const receivers = [
      { name: route.backend, via: '', verifier: backend.verifier },
      ...backend.relaysTo.flatMap((relayed) => {
        const verifier = wiring.backends[relayed]?.verifier ?? null;
        return verifier === null ? [] : [{ name: relayed, via: ` (relayed by ${route.backend})`, verifier }];
      }),
    ];
    for (const receiver of receivers) {
      if (!receiver.verifier.audiences.some((aud) => audiences.includes(aud)))
        problems.push(
          `${route.name}: ${route.address} names ${list(audiences)}; ${receiver.name}${receiver.via} accepts ${list(receiver.verifier.audiences)}`,
        );
    }
  }

  const accepted = new Set(verifying.flatMap(({ verifier }) => verifier.audiences));
  for (const aud of named)
    if (!accepted.has(aud)) problems.push(`aud=${aud} is the audience of no backend that checks assertions`);
  for (const { name, verifier } of verifying)
    if (!verifier.audiences.some((aud) => named.has(aud)))
      problems.push(`${name} checks assertions, but no route asks for one addressed to it`);
  return problems;
}
