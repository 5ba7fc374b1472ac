import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { compileRule, routingRequestFrom } from './index.ts';
import type { RuleSyntax } from './types.ts';

/** One of Traefik's own rule-matching test cases (see testdata/README). */
interface Vector {
  rule: string;
  syntax: RuleSyntax;
  method: string;
  host: string;
  path: string;
  headers: Record<string, string[]>;
  query: string;
  match: boolean;
  remoteAddr: string | null;
  source: string;
  note?: string;
}

const vectors = JSON.parse(
  readFileSync(new URL('./testdata/traefik-rule-vectors.json', import.meta.url), 'utf8'),
) as Vector[];

/** Go's RemoteAddr is `ip:port`; ours is the IP alone. */
function peerIp(remoteAddr: string | null): string {
  if (remoteAddr === null) return '192.0.2.10';
  const match = /^\[?([^\]]+?)\]?(?::\d+)?$/.exec(remoteAddr);
  return match?.[1] ?? remoteAddr;
}

describe("Traefik's rule vectors", () => {
  it('holds the whole sample', () => {
    assert.equal(vectors.length, 40);
  });

  for (const vector of vectors) {
    const title = `${vector.syntax} ${vector.rule} | ${vector.method} ${vector.host}${vector.path}${vector.query ? `?${vector.query}` : ''} → ${vector.match ? 'match' : 'no match'}`;
    it(title, () => {
      const matches = compileRule(vector.rule, vector.syntax);
      const headers: Record<string, string[]> = {};
      for (const [name, values] of Object.entries(vector.headers)) headers[name.toLowerCase()] = values;
      const request = routingRequestFrom({
        method: vector.method,
        host: vector.host,
        path: vector.path,
        rawQuery: vector.query,
        remoteAddr: peerIp(vector.remoteAddr),
        headers,
      });
      assert.equal(
        matches(request),
        vector.match,
        `${vector.source}${vector.note ? ` (${vector.note})` : ''}`,
      );
    });
  }
});
