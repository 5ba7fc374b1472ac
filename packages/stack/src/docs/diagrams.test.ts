/**
 * The sequence diagrams of the README, each app's README and docs/ draw only what exists: every participant is an
 * app of `apps/` (on one of its ports, when the label names one) or a known outside actor, and every header a
 * message names occurs in the code or configuration (`apps/`, `infra/`, `packages/`, tests and Markdown left out),
 * case-insensitively.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { describe, it } from 'node:test';
import { PORT_VARIABLES, repoRoot, StackEnv } from '../config.ts';
import { headersOf, sequenceDiagrams } from './diagrams.ts';
import { escapeRegExp } from './match.ts';
import { executablePages, pageName } from './pages.ts';

/** Who may appear beside the apps: the callers, and the Kubernetes-side gateway and mesh. */
const OUTSIDE_ACTORS = new Set(['Client', 'Browser', 'Traefik', 'Linkerd']);

const apps = new Set(readdirSync(join(repoRoot, 'apps')));

/** The ports of each app in the local stack, from the stack's own defaults (config.ts). */
const PORT_OWNERS: Record<(typeof PORT_VARIABLES)[number], string> = {
  GATEWAY_WEB_PORT: 'gateway',
  GATEWAY_WEBSECURE_PORT: 'gateway',
  GATEWAY_ADMIN_PORT: 'gateway',
  FORWARD_AUTH_PORT: 'forward-auth',
  IDENTITY_PORT: 'identity',
  PYBACKEND_PORT: 'pybackend-ts',
  MODEL_SERVICE_PORT: 'model-service',
  ADDER_HTTP_PORT: 'adder',
  ADDER_GRPC_PORT: 'adder',
};
const portsOf = new Map<string, number[]>();
for (const variable of PORT_VARIABLES) {
  const port = (StackEnv.properties[variable] as { default?: unknown }).default;
  const app = PORT_OWNERS[variable];
  if (typeof port === 'number') portsOf.set(app, [...(portsOf.get(app) ?? []), port]);
}

// `docs` folders hold this checker (packages/stack/src/docs), which names headers only to look for them.
const SKIPPED_DIRS = new Set(['node_modules', 'var', '.git', 'docs']);
const TEXT = new Set(['.ts', '.js', '.yml', '.yaml', '.json', '.proto', '.html', '.env', '']);

/** The code and configuration the headers must occur in, lower-cased, one string per file. */
function sources(dir: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!SKIPPED_DIRS.has(entry.name)) found.push(...sources(path));
    } else if (TEXT.has(extname(entry.name)) && !entry.name.endsWith('.test.ts')) {
      found.push(readFileSync(path, 'utf8').toLowerCase());
    }
  }
  return found;
}

const corpus = ['apps', 'infra', 'packages'].flatMap((dir) => sources(join(repoRoot, dir)));
const occurs = new Map<string, boolean>();
function inCode(header: string): boolean {
  const key = header.toLowerCase();
  let known = occurs.get(key);
  if (known === undefined) {
    const word = new RegExp(`(?<![a-z0-9-])${escapeRegExp(key)}(?![a-z0-9-])`);
    known = corpus.some((text) => word.test(text));
    occurs.set(key, known);
  }
  return known;
}

const pages = executablePages(repoRoot).map((path) => ({
  name: pageName(repoRoot, path),
  diagrams: sequenceDiagrams(readFileSync(path, 'utf8')),
}));

describe('sequence diagrams name only what exists', () => {
  it('finds the walkthroughs’ diagrams', () => {
    const count = pages.reduce((sum, page) => sum + page.diagrams.length, 0);
    assert.ok(count >= 5, `${count} sequence diagrams found`);
  });

  for (const page of pages) {
    for (const diagram of page.diagrams) {
      it(`${page.name}:${diagram.line}`, () => {
        for (const { name, port } of diagram.participants) {
          assert.ok(
            apps.has(name) || OUTSIDE_ACTORS.has(name),
            `participant "${name}" is neither an app of apps/ nor one of ${[...OUTSIDE_ACTORS].join(', ')}`,
          );
          if (port !== undefined && apps.has(name)) {
            assert.ok(portsOf.get(name)?.includes(port), `${name} does not listen on :${port}`);
          }
        }
        for (const { name, line } of diagram.headers) {
          assert.ok(
            inCode(name),
            `line ${line}: header ${name} occurs nowhere in apps/, infra/ or packages/`,
          );
        }
      });
    }
  }
});

describe('sequenceDiagrams', () => {
  const page = [
    'text',
    '```mermaid',
    'sequenceDiagram',
    '  participant C as Client (HTTPie)',
    '  participant FA as forward-auth :4181',
    '  C->>FA: GET /auth<br/>Authorization: Bearer x, X-Made-Up-Header',
    '  FA-->>+Z: 200 {"status": "ok"}<br/>l5d-dst-override: z:80',
    '```',
    '```mermaid',
    'flowchart LR',
    '  a --> b',
    '```',
  ].join('\n');

  it('reads participants, their ports, and the headers of messages, skipping other diagrams', () => {
    const [diagram, ...others] = sequenceDiagrams(page);
    assert.equal(others.length, 0);
    assert.deepEqual(diagram?.participants, [
      { id: 'C', name: 'Client' },
      { id: 'FA', name: 'forward-auth', port: 4181 },
      { id: 'Z', name: 'Z' },
    ]);
    assert.deepEqual(diagram?.headers, [
      { name: 'Authorization', line: 6 },
      { name: 'X-Made-Up-Header', line: 6 },
      { name: 'l5d-dst-override', line: 7 },
    ]);
  });

  it('takes a name before ": " for a header, not a JSON key, a URL or a word before a colon and no space', () => {
    assert.deepEqual(headersOf('200 {"result": true} http://localhost:8000/x a:b'), []);
    assert.deepEqual(headersOf('302 Location: /x<br/>Set-Cookie: a=b'), ['Location', 'Set-Cookie']);
  });

  it('would fail on a made-up header or participant', () => {
    assert.equal(inCode('X-Made-Up-Header'), false);
    assert.equal(inCode('x-auth-assertion'), true);
    assert.equal(apps.has('Z') || OUTSIDE_ACTORS.has('Z'), false);
  });
});
