/**
 * The README's walkthrough, as the requests HTTPie would send to the published ports (`http :8000/pybackend`
 * sends `Host: localhost:8000`), each with the answer the README shows, a browser's login through the gateway, and
 * made-up identities sent straight to the backends' own ports, as another container of the project could.
 * The rehearsal sends them to the publishing container's address on the rehearsal's bridge, at the container port
 * each host port is published to: `localhost:4444`, the identity provider's issuer, is identity's address there.
 */

import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Agent, request } from 'undici';
import { NODE_24, REPO_ROOT } from '../paths.ts';
import { type Page, RehearsalBrowser } from './browser.ts';

/** A published port as a client on this machine reaches it in the rehearsal. */
export interface Endpoint {
  /** Where the request really goes (the container's address and port). */
  readonly origin: string;
  /** What HTTPie would send as Host (`localhost:<published port>`). */
  readonly host: string;
}

/** The published ports the walkthrough uses, by host port. */
export interface WalkthroughTargets {
  readonly web: Endpoint;
  readonly websecure: Endpoint;
  readonly admin: Endpoint;
  /** The identity provider's published port (its issuer, http://localhost:4444). */
  readonly identity: Endpoint;
  /** Any published port, as a browser on this machine reaches `localhost:<port>`. */
  readonly published: (hostPort: number) => Endpoint;
  /** The adder's gRPC port, `address:port`. */
  readonly grpc: string;
  /** A service's own port as another container of the project reaches it, at `http://<service>:<port>`. */
  readonly inside: (service: string, port: number) => Endpoint;
}

/** One request of the walkthrough and its expected answer. */
export interface WalkthroughCheck {
  /** The README's command for it. */
  readonly name: string;
  /** Resolves to undefined when the answer is right, else to what was wrong. */
  readonly run: (targets: WalkthroughTargets) => Promise<string | undefined>;
}

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

const insecure = new Agent({ connect: { rejectUnauthorized: false, servername: 'localhost' } });

async function send(
  endpoint: Endpoint,
  path: string,
  init: { method?: 'GET' | 'POST'; headers?: Record<string, string>; body?: string } = {},
): Promise<Answer> {
  const res = await request(`${endpoint.origin}${path}`, {
    method: init.method ?? 'GET',
    headers: { host: endpoint.host, 'user-agent': 'HTTPie/3 (compose rehearsal)', ...init.headers },
    body: init.body,
    dispatcher: endpoint.origin.startsWith('https:') ? insecure : undefined,
    headersTimeout: 10_000,
    bodyTimeout: 10_000,
  });
  return { status: res.statusCode, headers: res.headers, text: await res.body.text() };
}

function json(answer: Answer): unknown {
  try {
    return JSON.parse(answer.text);
  } catch {
    return undefined;
  }
}

/** Undefined when `answer` has `status` and (if given) a JSON body deep-equal to `body`; else what differs. */
function expectJson(answer: Answer, status: number, body?: unknown): string | undefined {
  if (answer.status !== status)
    return `status ${answer.status}, expected ${status}: ${answer.text.slice(0, 200)}`;
  if (body !== undefined && JSON.stringify(sortKeys(json(answer))) !== JSON.stringify(sortKeys(body))) {
    return `body ${answer.text.slice(0, 200)}, expected ${JSON.stringify(body)}`;
  }
  return undefined;
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([k, v]) => [k, sortKeys(v)]),
    );
  }
  return value;
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const demo = bearer('foobar');
const jsonBody = { ...demo, 'content-type': 'application/json' };
const admission = JSON.stringify({ gre: 600, rank: '1' });
/** The README's answer for {"gre": 600, "rank": "1"}. */
const ADMISSION_PROBABILITY = 0.5235533764275243;
const basic = `Basic ${Buffer.from('user1:password1').toString('base64')}`;
const BOSTON_ROW_1 =
  '{"crim": 0.00632, "zn": 18, "indus": 2.31, "chas": 0, "nox": 0.538, "rm": 6.575, "age": 65.2, "dis": 4.09, "rad": 1, "tax": 296, "ptratio": 15.3, "black": 396.9, "lstat": 4.98}';

function admissionAnswer(answer: Answer): string | undefined {
  const wrong = expectJson(answer, 200);
  if (wrong) return wrong;
  const body = json(answer) as { result?: unknown; probability?: unknown } | undefined;
  if (body?.result !== true || typeof body.probability !== 'number') return `body ${answer.text}`;
  return Math.abs(body.probability - ADMISSION_PROBABILITY) < 1e-9
    ? undefined
    : `probability ${body.probability}`;
}

/** A request to the web entrypoint whose answer is `status` with exactly `body` (when given). */
function jsonCheck(
  name: string,
  path: string,
  init: Parameters<typeof send>[2],
  status: number,
  body?: unknown,
): WalkthroughCheck {
  return { name, run: async (t) => expectJson(await send(t.web, path, init), status, body) };
}

/** A request straight to a service's port inside the network, without an assertion: refused with 401. */
function jsonInside(
  name: string,
  service: string,
  port: number,
  path: string,
  init: Parameters<typeof send>[2],
): WalkthroughCheck {
  return {
    name,
    run: async (t) =>
      expectJson(await send(t.inside(service, port), path, init), 401, {
        detail: 'Missing identity assertion',
      }),
  };
}

/** The README's demo clients (infra/identity/identity.yml). */
const ADDER_CLIENT = { id: 'adder-cli', secret: 'adder-cli-secret' } as const;
const NO_ROLE_CLIENT = { id: 'no-role-client', secret: 'no-role-secret' } as const;
/** What the local profile calls the issuer, and the gateway as browsers see it. */
const ISSUER = 'http://localhost:4444';
const GATEWAY = 'http://localhost:8000';

/**
 * `http -f POST :4444/token grant_type=client_credentials resource=api://adder -a <id>:<secret>`: the answer, and
 * the access token when it is a Bearer token.
 */
async function clientCredentials(
  t: WalkthroughTargets,
  client: { id: string; secret: string },
): Promise<{ answer: Answer; token: string | undefined }> {
  const answer = await send(t.identity, '/token', {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${client.id}:${client.secret}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
    },
    body: 'grant_type=client_credentials&resource=api%3A%2F%2Fadder',
  });
  const body = json(answer) as { access_token?: unknown; token_type?: unknown } | undefined;
  const token =
    answer.status === 200 && body?.token_type === 'Bearer' && typeof body.access_token === 'string'
      ? body.access_token
      : undefined;
  return { answer, token };
}

/** A token for `client`, or throws with identity's answer (the check that needs it then fails with that). */
async function tokenOf(t: WalkthroughTargets, client: { id: string; secret: string }): Promise<string> {
  const { answer, token } = await clientCredentials(t, client);
  if (token === undefined)
    throw new Error(`no token for ${client.id}: ${answer.status} ${answer.text.slice(0, 200)}`);
  return token;
}

/** The claims of a JWT, unverified (the gateway verifies; this only shows what the README shows). */
function claimsOf(token: string): Record<string, unknown> {
  const [, payload = ''] = token.split('.');
  return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
}

/** The claims a verifying backend reports under `assertion` (whoami), as the README shows them. */
interface VerifiedClaims {
  iss?: unknown;
  aud?: unknown;
  sub?: unknown;
  roles?: unknown;
  iat?: unknown;
  exp?: unknown;
  jti?: unknown;
}

/**
 * Undefined when `claims` are forward-auth's assertion for `sub`, addressed to what `/pybackend`'s forwardAuth
 * names (pybackend-ts, and model-service for the relayed /admission); else what differs.
 */
function pybackendAssertion(claims: VerifiedClaims | undefined, sub: string): string | undefined {
  if (claims === undefined) return 'no verified assertion (is IDENTITY_ASSERTION_JWKS_URL set?)';
  const expected = { iss: 'forward-auth', aud: ['pybackend-ts', 'model-service'], sub };
  for (const [claim, value] of Object.entries(expected)) {
    const seen = claims[claim as keyof VerifiedClaims];
    if (JSON.stringify(seen) !== JSON.stringify(value))
      return `assertion ${claim} ${JSON.stringify(seen)}, expected ${JSON.stringify(value)}`;
  }
  const { iat, exp, jti } = claims;
  if (typeof iat !== 'number' || typeof exp !== 'number' || exp <= iat || typeof jti !== 'string')
    return `assertion iat ${iat}, exp ${exp}, jti ${jti}`;
  return undefined;
}

/** An /add answer the gateway's jwt middleware refused: status, challenge and detail. */
function refusal(answer: Answer, status: number, challenge: string, detail: string): string | undefined {
  const wrong = expectJson(answer, status, { detail });
  if (wrong) return wrong;
  const header = answer.headers['www-authenticate'];
  return header === challenge ? undefined : `www-authenticate ${String(header)}, expected ${challenge}`;
}

const describePages = (pages: readonly Page[]) =>
  pages.map((p) => `${p.status} ${new URL(p.url).host}${new URL(p.url).pathname}`).join(' → ');

/**
 * A signed-out browser opens a page behind forward auth, is sent through forward-auth's /oauth2/start to the
 * identity provider's authorization endpoint at the public issuer, and lands on its sign-in page. Resolves to the
 * pages on the way, or to what went wrong.
 */
async function toSignIn(browser: RehearsalBrowser): Promise<Page[] | string> {
  const pages = await browser.follow(`${GATEWAY}/pybackend/whoami`);
  const [protectedPage, start, authorize] = pages;
  const startUrl = new URL(String(protectedPage?.headers.location ?? ''), GATEWAY);
  if (protectedPage?.status !== 302 || `${startUrl.origin}${startUrl.pathname}` !== `${GATEWAY}/oauth2/start`)
    return `whoami: ${describePages(pages)}`;
  if (startUrl.searchParams.get('rd') !== `${GATEWAY}/pybackend/whoami`)
    return `rd ${startUrl.searchParams.get('rd')}`;
  const authUrl = new URL(String(start?.headers.location ?? ''), GATEWAY);
  if (start?.status !== 302 || `${authUrl.origin}${authUrl.pathname}` !== `${ISSUER}/auth`)
    return `/oauth2/start: ${start?.status} ${authUrl.href} (${start?.text.slice(0, 120)})`;
  const params = Object.fromEntries(authUrl.searchParams);
  const expected = {
    client_id: 'forward-auth',
    redirect_uri: `${GATEWAY}/oauth2/callback`,
    response_type: 'code',
    code_challenge_method: 'S256',
  };
  for (const [name, value] of Object.entries(expected))
    if (params[name] !== value) return `authorization request ${name}=${params[name]}, expected ${value}`;
  const last = pages.at(-1);
  if (authorize === undefined || last?.status !== 200 || !/name="username"/.test(last.text))
    return `to the sign-in page: ${describePages(pages)}`;
  if (!new URL(last.url).pathname.startsWith('/interaction/')) return `sign-in page at ${last.url}`;
  return pages;
}

/** The walkthrough, in the README's order. */
export const WALKTHROUGH: readonly WalkthroughCheck[] = [
  jsonCheck('http :8000/pybackend → 403 Not authenticated', '/pybackend', {}, 403, {
    detail: 'Not authenticated',
  }),
  jsonCheck(
    'http :8000/pybackend "Authorization: Bearer foo" → 401',
    '/pybackend',
    { headers: bearer('foo') },
    401,
    {
      detail: 'Invalid Token',
    },
  ),
  jsonCheck(
    'http :8000/pybackend "Authorization: Bearer foobar" → 200',
    '/pybackend',
    { headers: demo },
    200,
    {
      title: 'Python Backend API',
    },
  ),
  jsonCheck(
    'http :8000/pybackend/foobar (bearer foobar) → path foobar',
    '/pybackend/foobar',
    { headers: demo },
    200,
    {
      path: 'foobar',
      title: 'Python Backend API',
    },
  ),
  jsonCheck('http :8000/rbackend (bearer foobar) → R Backend API', '/rbackend', { headers: demo }, 200, {
    title: 'R Backend API',
  }),
  {
    name: 'http POST :8000/rbackend/admission {"gre": 600, "rank": "1"} → result true',
    run: async (t) =>
      admissionAnswer(
        await send(t.web, '/rbackend/admission', { method: 'POST', headers: jsonBody, body: admission }),
      ),
  },
  {
    name: 'http POST :8000/pybackend/admission (relayed to model-service) → the same',
    run: async (t) =>
      admissionAnswer(
        await send(t.web, '/pybackend/admission', { method: 'POST', headers: jsonBody, body: admission }),
      ),
  },
  jsonCheck(
    'http POST :8000/pybackend/admission {"gre": 900} → 422',
    '/pybackend/admission',
    { method: 'POST', headers: jsonBody, body: '{"gre": 900}' },
    422,
    { detail: 'body/gre must be <= 800' },
  ),
  {
    name: 'http :8000/rbackend/admission/model → the glm card',
    run: async (t) => {
      const answer = await send(t.web, '/rbackend/admission/model', { headers: demo });
      const wrong = expectJson(answer, 200);
      const card = json(answer) as { aic?: number; iterations?: number } | undefined;
      if (wrong) return wrong;
      return Math.abs((card?.aic ?? 0) - 470.5174924758986) < 1e-9 && card?.iterations === 4
        ? undefined
        : `card ${answer.text.slice(0, 200)}`;
    },
  },
  {
    name: 'http :8000/pybackend/whoami "X-Auth-User: admin" "X.Auth.User: admin" → user demo, no look-alike, and the assertion pybackend-ts verified',
    run: async (t) => {
      const answer = await send(t.web, '/pybackend/whoami', {
        headers: { ...demo, 'x-auth-user': 'admin', 'x.auth.user': 'admin' },
      });
      const wrong = expectJson(answer, 200);
      if (wrong) return wrong;
      const seen = json(answer) as
        | { user?: unknown; aliases?: unknown; headers?: Record<string, string>; assertion?: VerifiedClaims }
        | undefined;
      if (seen?.user !== 'demo') return `user ${String(seen?.user)}`;
      if (seen.aliases !== undefined)
        return `look-alikes reached the backend: ${JSON.stringify(seen.aliases)}`;
      const host = seen.headers?.['x-forwarded-host'];
      if (host !== t.web.host) return `x-forwarded-host ${host}, expected ${t.web.host}`;
      return pybackendAssertion(seen.assertion, 'demo');
    },
  },
  {
    name: 'http :8000/pybackend/..%2Fadmin → 400',
    run: async (t) => {
      const answer = await send(t.web, '/pybackend/..%2Fadmin', { headers: demo });
      return answer.status === 400 ? undefined : `status ${answer.status}`;
    },
  },
  {
    name: 'http -f POST :4444/token grant_type=client_credentials resource=api://adder -a adder-cli:adder-cli-secret → a token',
    run: async (t) => {
      const { answer, token } = await clientCredentials(t, ADDER_CLIENT);
      const wrong = expectJson(answer, 200);
      if (wrong) return wrong;
      if (token === undefined) return `body ${answer.text.slice(0, 200)}`;
      const claims = claimsOf(token);
      const expected = { iss: ISSUER, aud: 'api://adder', azp: 'adder-cli', roles: ['invokeRole'] };
      for (const [claim, value] of Object.entries(expected))
        if (JSON.stringify(claims[claim]) !== JSON.stringify(value))
          return `${claim} ${JSON.stringify(claims[claim])}, expected ${JSON.stringify(value)}`;
      return undefined;
    },
  },
  {
    name: 'http :8000/add/10/10 "Authorization: Bearer $TOKEN" → 20',
    run: async (t) => {
      const token = await tokenOf(t, ADDER_CLIENT);
      const answer = await send(t.web, '/add/10/10', { headers: bearer(token) });
      return answer.status === 200 && answer.text === '20'
        ? undefined
        : `${answer.status} ${answer.text.slice(0, 100)}`;
    },
  },
  {
    name: 'http :8000/add/10/10 → 401 Not authenticated',
    run: async (t) => refusal(await send(t.web, '/add/10/10'), 401, 'Bearer', 'Not authenticated'),
  },
  {
    name: 'http :8000/add/10/10 "Authorization: Bearer foobar" → 401 invalid_token',
    run: async (t) =>
      refusal(
        await send(t.web, '/add/10/10', { headers: demo }),
        401,
        'Bearer error="invalid_token", error_description="the token is malformed"',
        'Invalid token: the token is malformed',
      ),
  },
  {
    name: 'http :8000/add/10/10 with a no-role-client token → 403 insufficient_scope',
    run: async (t) => {
      const token = await tokenOf(t, NO_ROLE_CLIENT);
      return refusal(
        await send(t.web, '/add/10/10', { headers: bearer(token) }),
        403,
        'Bearer error="insufficient_scope", error_description="the roles claim does not hold a required value"',
        'Insufficient scope: the roles claim does not hold a required value',
      );
    },
  },
  {
    name: 'a browser at :8000/pybackend/whoami → /oauth2/start → http://localhost:4444/auth → the sign-in page',
    run: async (t) => {
      const pages = await toSignIn(new RehearsalBrowser(t.published));
      return typeof pages === 'string' ? pages : undefined;
    },
  },
  {
    name: 'the browser signs in as alice, allows, and is back at /pybackend/whoami as alice',
    run: async (t) => {
      const browser = new RehearsalBrowser(t.published);
      const pages = await toSignIn(browser);
      if (typeof pages === 'string') return pages;
      const signIn = pages.at(-1) as Page;
      const afterLogin = await browser.follow(`${signIn.url}/login`, {
        username: 'alice',
        password: 'alice-password',
      });
      const consent = afterLogin.at(-1) as Page;
      if (consent.status !== 200 || !consent.text.includes('/confirm'))
        return `after the password: ${describePages(afterLogin)}`;
      const back = await browser.follow(`${consent.url}/confirm`, {});
      const whoami = back.at(-1) as Page;
      if (whoami.url !== `${GATEWAY}/pybackend/whoami` || whoami.status !== 200)
        return `after consent: ${describePages(back)} ${whoami.text.slice(0, 160)}`;
      const seen = JSON.parse(whoami.text) as {
        user?: string;
        headers?: Record<string, string>;
        assertion?: VerifiedClaims;
      };
      if (seen.user !== 'alice') return `user ${seen.user}`;
      const email = seen.headers?.['x-auth-email'];
      if (email !== 'alice@example.com') return `x-auth-email ${email}`;
      return pybackendAssertion(seen.assertion, 'alice');
    },
  },
  // Signed identity for the backends: what reaches a backend's port without the gateway (here, from the project's
  // network, as another container would) cannot make up an identity.
  jsonInside(
    'http pybackend-ts:8101/whoami X-Auth-User:admin, from another container (no assertion) → 401',
    'pybackend-ts',
    8101,
    '/whoami',
    { headers: { 'x-auth-user': 'admin' } },
  ),
  jsonInside(
    'http POST model-service:8102/admission X-Auth-User:admin, from another container (no assertion) → 401',
    'model-service',
    8102,
    '/admission',
    {
      method: 'POST',
      headers: { 'x-auth-user': 'admin', 'content-type': 'application/json' },
      body: admission,
    },
  ),
  {
    name: 'http :8080/api/http/routers → the six routers, enabled',
    run: async (t) => {
      const answer = await send(t.admin, '/api/http/routers');
      const routers = json(answer) as { name: string; status: string }[] | undefined;
      const names = (routers ?? []).map((r) => `${r.name} ${r.status}`).sort();
      const expected = ['adder', 'bos-rf', 'bos-rf-to-https', 'oauth2', 'pybackend', 'rbackend']
        .map((n) => `${n}@file enabled`)
        .sort();
      return JSON.stringify(names) === JSON.stringify(expected) ? undefined : `routers ${names.join(', ')}`;
    },
  },
  {
    name: 'http :8080/metrics → Prometheus text',
    run: async (t) => {
      const answer = await send(t.admin, '/metrics');
      return answer.status === 200 && answer.text.includes('traefik_service_requests_total')
        ? undefined
        : `status ${answer.status}`;
    },
  },
  {
    name: 'http --verify=no -a user1:password1 POST https://localhost:8443/bos-rf/score → one prediction',
    run: async (t) => {
      const answer = await send(t.websecure, '/bos-rf/score', {
        method: 'POST',
        headers: { authorization: basic, 'content-type': 'application/json' },
        body: `{"df": [${BOSTON_ROW_1}]}`,
      });
      const wrong = expectJson(answer, 200);
      const [prediction] = (json(answer) as number[] | undefined) ?? [];
      if (wrong) return wrong;
      return typeof prediction === 'number' && Math.abs(prediction - 26.2) < 0.5
        ? undefined
        : `body ${answer.text}`;
    },
  },
  {
    name: 'http --verify=no POST https://localhost:8443/bos-rf/score (no credentials) → 401',
    run: async (t) => {
      const answer = await send(t.websecure, '/bos-rf/score', { method: 'POST', body: `[${BOSTON_ROW_1}]` });
      return answer.status === 401 ? undefined : `status ${answer.status}`;
    },
  },
  {
    name: 'http :8000/bos-rf/score/model → 302 to https://localhost:8443/...',
    run: async (t) => {
      const answer = await send(t.web, '/bos-rf/score/model');
      const location = answer.headers.location;
      const expected = `https://${t.websecure.host}/bos-rf/score/model`;
      return answer.status === 302 && location === expected
        ? undefined
        : `${answer.status} Location ${location}`;
    },
  },
  {
    name: 'npm run load -- --target localhost:50051 --count 20 → 20 OK',
    run: async (t) => {
      const cli = join(REPO_ROOT, 'apps', 'adder', 'src', 'load', 'cli.ts');
      const { stdout } = await promisify(execFile)(
        NODE_24,
        [cli, '--target', t.grpc, '--count', '20', '--json'],
        {
          timeout: 20_000,
        },
      ).catch((err: { stdout?: string; message: string }) => ({ stdout: err.stdout ?? err.message }));
      const report = (() => {
        try {
          return JSON.parse(stdout) as { summary?: { statuses?: Record<string, number> } };
        } catch {
          return undefined;
        }
      })();
      const statuses = report?.summary?.statuses;
      return statuses?.OK === 20 ? undefined : `statuses ${JSON.stringify(statuses) ?? stdout.slice(0, 200)}`;
    },
  },
];
