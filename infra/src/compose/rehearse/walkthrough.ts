/**
 * The README's walkthrough, as the requests HTTPie would send to the published ports (`http :8000/pybackend`
 * sends `Host: localhost:8000`), each with the answer the README shows. The rehearsal sends them to the gateway
 * container's address on the rehearsal's bridge, at the container port each host port is published to.
 */

import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Agent, request } from 'undici';
import { NODE_24, REPO_ROOT } from '../paths.ts';

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
  /** The adder's gRPC port, `address:port`. */
  readonly grpc: string;
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
    name: 'http :8000/pybackend/whoami "X-Auth-User: admin" → user demo',
    run: async (t) => {
      const answer = await send(t.web, '/pybackend/whoami', { headers: { ...demo, 'x-auth-user': 'admin' } });
      const wrong = expectJson(answer, 200);
      if (wrong) return wrong;
      const seen = json(answer) as { user?: unknown; headers?: Record<string, string> } | undefined;
      if (seen?.user !== 'demo') return `user ${String(seen?.user)}`;
      const host = seen.headers?.['x-forwarded-host'];
      return host === t.web.host ? undefined : `x-forwarded-host ${host}, expected ${t.web.host}`;
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
    name: 'http :8000/add/10/10 → 20',
    run: async (t) => {
      const answer = await send(t.web, '/add/10/10', { headers: demo });
      return answer.status === 200 && answer.text === '20'
        ? undefined
        : `${answer.status} ${answer.text.slice(0, 100)}`;
    },
  },
  {
    name: 'http :8080/api/http/routers → the five routers, enabled',
    run: async (t) => {
      const answer = await send(t.admin, '/api/http/routers');
      const routers = json(answer) as { name: string; status: string }[] | undefined;
      const names = (routers ?? []).map((r) => `${r.name} ${r.status}`).sort();
      const expected = ['adder', 'bos-rf', 'bos-rf-to-https', 'pybackend', 'rbackend']
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
